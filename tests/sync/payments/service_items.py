"""Puts the seed's fixed non-stock items (`SeedData.service_items`) into a running P21 sandbox,
for as long as the sandbox store loads only the catalogue (`SeedData.items`)."""

from __future__ import annotations

from typing import Any

from stripe_p21.sandbox.p21.seed import SERVICE_ITEMS


def add_service_items(p21_app: Any) -> None:
    store = p21_app.sandbox.store
    for item in SERVICE_ITEMS:
        if store.row("SELECT 1 FROM inv_mast WHERE item_id = ?", (item.item_id,)) is None:
            store.insert("inv_mast", {
                "item_id": item.item_id, "item_desc": item.description,
                "list_price": str(item.list_price), "default_selling_unit": item.unit,
                "product_group_id": item.product_group, "delete_flag": "N",
                "date_last_modified": "2026-01-01T00:00:00",
            })  # fmt: skip
