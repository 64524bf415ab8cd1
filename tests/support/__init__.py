"""Reusable test helpers that are not fixtures of one suite (a real SMTP relay, …)."""
