"""Okaeri: follow-up mail for online shops.

The package is the domain core shared by every Lambda function (it ships as the common layer).
Submodules are imported on use, so ``import okaeri`` stays cheap for cold starts.
"""

__version__ = "0.1.0"
