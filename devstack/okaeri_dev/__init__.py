"""The local stack (``okaeri dev`` / ``make dev``): all of Okaeri on one machine, offline.

Development infrastructure only: it is installed with the project but never ships in the Lambda
layer. It runs the very handlers of ``functions/`` against a moto server on loopback.
"""
