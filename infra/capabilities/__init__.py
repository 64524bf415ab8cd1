"""One construct per capability; ``infra/stack.py`` composes them and wires them with grants."""
