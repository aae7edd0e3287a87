"""Tests of the P21 connector and the P21 sandbox."""
