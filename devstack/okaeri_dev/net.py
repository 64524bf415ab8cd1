"""Loopback ports: fail at once on a busy one, or pick a free one."""

from __future__ import annotations

import socket


def check_port(host: str, port: int) -> int:
    """``port`` when it can be listened on (as the servers will: SO_REUSEADDR); OSError otherwise.

    The servers themselves report a busy port late (aiosmtpd after its start-up timeout) or not at
    all (werkzeug exits the process), so each port is tried first.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    return port


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
