"""The pipeline's use cases over the ports (``okaeri.ports``), one module each.

- ``ingest``: a received mail (S3 object) → an order, a shipment or a cancellation, and one
  reception-log entry.
- ``schedule``: an order change (DynamoDB stream) → deliveries and their one-off wake-ups.
- ``send``: a wake-up → claim, render, one send, mark (the conditional state machine).
- ``sweep``: expired leases → ``unknown``; deliveries no wake-up sent → sent.
- ``events``: SES event publishing → counters and the suppression list.
- ``unsubscribe``: a signed opt-out link → the customer unsubscribed, once.

Services import no AWS code and no Powertools: they take the ports as arguments and return
outcome objects that the thin handlers in ``functions/`` turn into logs and metrics. Import the
module you need (``okaeri.services.send``); this package imports nothing, for cold starts.
"""
