"""Flows shared by the handlers: links between Stripe objects and P21 documents, and the
order-to-cash, refund, customer, payout, billing, radar and dispute flows."""
