"""The mailer port: what identity use cases send (invitations, password resets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    """One email: ``kind`` names the template (``invitation``, ``password_reset``)."""

    to: str
    subject: str
    body: str
    kind: str
    link: str


class Mailer(Protocol):
    """Sends mail; implementations live in ``adapters.mailer``."""

    async def send(self, message: MailMessage) -> None: ...


def invitation_message(to: str, tenant_name: str, role: str, link: str) -> MailMessage:
    return MailMessage(
        to=to,
        subject=f"You are invited to {tenant_name} on Restock",
        body=f"You have been invited to {tenant_name} as {role}.\n\nAccept: {link}\n",
        kind="invitation",
        link=link,
    )


def password_reset_message(to: str, link: str) -> MailMessage:
    return MailMessage(
        to=to,
        subject="Reset your Restock password",
        body=f"Someone asked to reset your password. If it was you, open:\n\n{link}\n",
        kind="password_reset",
        link=link,
    )
