"""`customer.created` / `customer.updated` → the customer flow (`pipeline/sync/customers.py`):
link or create the P21 customer once, write `p21_customer_id` back."""

from __future__ import annotations

from stripe_p21.pipeline.context import HandlerContext
from stripe_p21.pipeline.errors import PermanentError
from stripe_p21.pipeline.registry import handles
from stripe_p21.pipeline.sync.customers import ensure_customer


@handles("customer.created", "customer.updated")
async def customer_changed(ctx: HandlerContext) -> str | None:
    customer_id = ctx.object.get("id")
    if not isinstance(customer_id, str) or not customer_id.startswith("cus_"):
        raise PermanentError(f"{ctx.event.type} event without a cus_… object id")
    p21_id = await ensure_customer(ctx, customer_id)
    return None if p21_id is not None else "no P21 customer linked (deleted, or a person decides)"
