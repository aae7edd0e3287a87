"""Sales stories: web-shop orders whose metadata lists P21 items (by `p21_item_id` or SKU, some
unknown to P21), payments of open P21 invoices and of open P21 sales orders, and what P21 should
hold for each."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from stripe_p21.sandbox.scenarios.customers import ScenarioCustomer
from stripe_p21.sandbox.scenarios.money import as_decimal, price_in
from stripe_p21.sandbox.scenarios.payments import Payment, ach_debit, blocked, charge_now
from stripe_p21.sandbox.scenarios.sim import StripeObj
from stripe_p21.sandbox.scenarios.world import World

CURRENCIES = ("usd", "cad", "eur", "jpy", "kwd")
CURRENCY_WEIGHTS = (70, 8, 8, 8, 6)
UNKNOWN_SKUS = ("ZZ-DISCONTINUED-1", "KIT-CUSTOM-88", "FAST-9999", "SAMPLE-PACK")


def _p21_customer(customer: ScenarioCustomer | None) -> int | str | None:
    if customer is None:
        return None
    return customer.p21_customer_id if customer.p21_customer_id is not None else "new"


def _line(world: World, n: int, item_id: str, usd_price: Any, currency: str) -> dict[str, Any]:
    cheap = Decimal(usd_price) < 50
    qty = world.sim.rng.choice((1, 2, 5, 10, 25) if cheap else (1, 1, 2, 3))
    return {"line": n, "item_id": item_id, "quantity": qty,
            "unit_price_minor": price_in(usd_price, currency),
            "key": "p21_item_id" if world.sim.chance(0.5) else "sku"}  # fmt: skip


def _metadata(order_id: str, lines: list[dict[str, Any]], currency: str) -> dict[str, str]:
    meta = {"ecommerce_order_id": order_id, "source": "webshop", "line_count": str(len(lines))}
    for line in lines:
        n = line["line"]
        meta[f"line_{n}_{line['key']}"] = line["item_id"]
        meta[f"line_{n}_qty"] = str(line["quantity"])
        meta[f"line_{n}_unit_price"] = as_decimal(line["unit_price_minor"], currency)
    return meta


def _truth_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    return [
        {"item_id": line["item_id"], "quantity": line["quantity"],
         "unit_price": as_decimal(line["unit_price_minor"], currency)}
        for line in lines
    ]  # fmt: skip


def _record_web_order(
    world: World, pay: Payment, lines: list[dict[str, Any]], customer: ScenarioCustomer,
    unknown_item: bool, intent: StripeObj, charge: StripeObj,
) -> None:  # fmt: skip
    """The order P21 should hold — or, when an item is unknown to P21, a mapping exception."""
    order_id = pay.metadata["ecommerce_order_id"]
    if unknown_item:
        unknown = lines[-1]["item_id"]
        world.truth.exception("mapping", "unknown_item", charge["id"], item_id=unknown,
                              ecommerce_order_id=order_id)  # fmt: skip
        return
    world.truth.order({
        "stripe_charge_id": charge["id"], "stripe_payment_intent_id": intent["id"],
        "source": "webshop", "ecommerce_order_id": order_id,
        "p21_customer_id": _p21_customer(customer), "currency": pay.currency,
        "amount": as_decimal(pay.amount, pay.currency), "amount_minor": pay.amount,
        "payment_method": pay.method, "lines": _truth_lines(lines, pay.currency),
        "status": "open",
    })  # fmt: skip


def web_order(
    world: World, *, currency: str | None = None, method: str = "card", risk: str = "normal",
    unknown_item: bool = False,
) -> StripeObj | None:  # fmt: skip
    """A web-shop checkout; returns its charge (None when blocked or still settling)."""
    sim = world.sim
    currency = currency or sim.rng.choices(CURRENCIES, weights=CURRENCY_WEIGHTS)[0]
    items = world.items(sim.rng.randint(1, 4))
    lines = [_line(world, n, item.item_id, item.list_price, currency)
             for n, item in enumerate(items, start=1)]  # fmt: skip
    if unknown_item:
        lines[-1]["item_id"], lines[-1]["key"] = sim.rng.choice(UNKNOWN_SKUS), "sku"
    amount = sum(line["quantity"] * line["unit_price_minor"] for line in lines)
    order_id = f"WEB-{next(world.web_orders)}"
    customer = world.customer()
    pay = Payment(amount, currency, customer.stripe_id, _metadata(order_id, lines, currency),
                  f"Web order {order_id}", method, risk)  # fmt: skip
    if risk == "highest":
        blocked(world, pay)
        return None
    record = partial(_record_web_order, world, pay, lines, customer, unknown_item)
    if method == "ach":
        ach_debit(world, pay, record)
        return None
    intent, charge = charge_now(world, pay)
    record(intent, charge)
    return charge


def _payer(world: World, p21_customer_id: int) -> str | None:
    """The scenario's Stripe customer linked to this P21 customer, if there is one."""
    linked = [c for c in world.customers if c.p21_customer_id == p21_customer_id]
    return linked[0].stripe_id if linked else None


def invoice_payment(world: World) -> StripeObj | None:
    """A customer pays the open balance of an existing P21 invoice by card."""
    invoice = world.open_invoice()
    if invoice is None:
        return web_order(world)
    open_balance = invoice.total - invoice.paid
    amount = price_in(open_balance, "usd")
    meta = {"p21_invoice_no": invoice.invoice_no, "p21_customer_id": str(invoice.customer_id)}
    pay = Payment(amount, "usd", _payer(world, invoice.customer_id), meta,
                  f"Payment for invoice {invoice.invoice_no}")  # fmt: skip
    intent, charge = charge_now(world, pay)
    world.truth.payment({
        "stripe_charge_id": charge["id"], "stripe_payment_intent_id": intent["id"],
        "p21_invoice_no": invoice.invoice_no, "p21_customer_id": invoice.customer_id,
        "currency": "usd", "amount": as_decimal(amount, "usd"), "amount_minor": amount,
    })  # fmt: skip
    return charge


def order_payment(world: World) -> StripeObj | None:
    """A customer pays an open P21 sales order (entered by phone, EDI or a sales rep) by card
    before it ships: the metadata names the order, the amount is its open total in USD. Each
    order is paid once; when every seeded order is paid, an invoice is paid instead."""
    order = world.open_order()
    if order is None:
        return invoice_payment(world)
    amount = price_in(order.open_total, "usd")
    meta = {"p21_order_no": order.order_no, "p21_customer_id": str(order.customer_id)}
    pay = Payment(amount, "usd", _payer(world, order.customer_id), meta,
                  f"Payment for order {order.order_no}")  # fmt: skip
    intent, charge = charge_now(world, pay)
    world.truth.payment({
        "stripe_charge_id": charge["id"], "stripe_payment_intent_id": intent["id"],
        "p21_order_no": order.order_no, "p21_customer_id": order.customer_id,
        "currency": "usd", "amount": as_decimal(amount, "usd"), "amount_minor": amount,
    })  # fmt: skip
    return charge
