"""Agents and groups (xAPI 1.0.3, Data 2.4.2): inverse functional identifiers and canonical keys (pure)."""

IFI_NAMES = ("mbox", "mbox_sha1sum", "openid", "account")


def ifi_of(agent: dict) -> tuple[str, object] | None:
    """The agent's one inverse functional identifier as (name, value), or None when it has none."""
    found = [(name, agent[name]) for name in IFI_NAMES if name in agent]
    return found[0] if len(found) == 1 else None


def agent_key(agent: dict) -> str | None:
    """A canonical string for the agent's (or identified group's) identifier: equal keys mean the same agent.
    None for an anonymous group or an object without exactly one identifier."""
    ifi = ifi_of(agent)
    if ifi is None:
        return None
    name, value = ifi
    if name == "account":
        return f"account:{value.get('homePage', '')}|{value.get('name', '')}" if isinstance(value, dict) else None
    return f"{name}:{value}"
