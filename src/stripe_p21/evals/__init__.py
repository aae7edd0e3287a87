"""The offline evaluation harness: `stripe-p21 eval matching|mapping|all`."""
