"""The purchase-order state machine.

::

    draft ──approve──▶ approved ──send──▶ sending ──submitted──▶ sent
      ▲                   │                  │
      └──────reopen───────┘                  └──failed──▶ failed ──retry (retryable)──▶ sending
      ▲                                                     │
      └────────────────────────reopen───────────────────────┘

A ``submitted`` result for the draft's submission wins from any unsent status (the PO
exists at the provider, e.g. a late success after a failure report). A ``failed`` result
only counts while sending and for the current attempt. ``sent`` is final.
"""

from __future__ import annotations

from enum import StrEnum

from po_gateway.domain.errors import InvalidTransition


class PoStatus(StrEnum):
    """Where a purchase order is in its life."""

    DRAFT = "draft"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Action(StrEnum):
    """What a user or a result event does to a purchase order."""

    EDIT = "edit"
    DELETE = "delete"
    APPROVE = "approve"
    SEND = "send"
    RETRY = "retry"
    REOPEN = "reopen"
    SUBMITTED = "submitted"
    FAILED = "failed"


OPEN_STATUSES = frozenset({PoStatus.DRAFT, PoStatus.APPROVED, PoStatus.SENDING, PoStatus.FAILED})
"""Statuses shown in the purchase-order list (``sent`` lives in the history)."""

_NEXT: dict[tuple[PoStatus, Action], PoStatus] = {
    (PoStatus.DRAFT, Action.EDIT): PoStatus.DRAFT,
    (PoStatus.DRAFT, Action.APPROVE): PoStatus.APPROVED,
    (PoStatus.APPROVED, Action.SEND): PoStatus.SENDING,
    (PoStatus.APPROVED, Action.REOPEN): PoStatus.DRAFT,
    (PoStatus.FAILED, Action.REOPEN): PoStatus.DRAFT,
    (PoStatus.FAILED, Action.RETRY): PoStatus.SENDING,
    (PoStatus.SENDING, Action.FAILED): PoStatus.FAILED,
    (PoStatus.DRAFT, Action.SUBMITTED): PoStatus.SENT,
    (PoStatus.APPROVED, Action.SUBMITTED): PoStatus.SENT,
    (PoStatus.SENDING, Action.SUBMITTED): PoStatus.SENT,
    (PoStatus.FAILED, Action.SUBMITTED): PoStatus.SENT,
}

_HINTS = {
    Action.EDIT: "only drafts can be edited; reopen an approved or failed order first",
    Action.DELETE: "only drafts and approved orders can be deleted",
    Action.APPROVE: "only drafts can be approved",
    Action.SEND: "approve the draft first; a sending or sent order is not sent again",
    Action.RETRY: "only failed orders can be retried",
    Action.REOPEN: "only approved or failed orders can be reopened",
}


def can_delete(status: PoStatus) -> bool:
    """Drafts and approved orders can be deleted; anything that reached a provider cannot."""
    return status in (PoStatus.DRAFT, PoStatus.APPROVED)


def next_status(status: PoStatus, action: Action, *, retryable: bool | None = None) -> PoStatus:
    """The status after ``action``; raises :class:`InvalidTransition` when not allowed.

    ``retryable`` is the last failure's flag: a non-retryable failure must be reopened
    and fixed (or its connection repaired) before it is approved and sent again.
    """
    if action is Action.DELETE:
        if can_delete(status):
            return status
        raise InvalidTransition(status, action, _HINTS[action])
    if action is Action.RETRY and status is PoStatus.FAILED and not retryable:
        raise InvalidTransition(
            status, action, "the provider refused this order; reopen it, fix it and approve again"
        )
    target = _NEXT.get((status, action))
    if target is None:
        raise InvalidTransition(status, action, _HINTS.get(action))
    return target


USER_ACTIONS = (
    Action.EDIT,
    Action.DELETE,
    Action.APPROVE,
    Action.SEND,
    Action.RETRY,
    Action.REOPEN,
)


def allowed_actions(status: PoStatus, *, retryable: bool | None = None) -> list[str]:
    """User actions the UI may offer for an order in ``status``."""
    allowed = []
    for action in USER_ACTIONS:
        try:
            next_status(status, action, retryable=retryable)
        except InvalidTransition:
            continue
        allowed.append(action.value)
    return allowed
