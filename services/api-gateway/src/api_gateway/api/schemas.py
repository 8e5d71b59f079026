"""Request and response bodies of the identity API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from restock_contracts._base import CurrencyCode, TimeZoneName

Role = Literal["viewer", "planner", "approver", "admin"]


class SignUpIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    tenant_name: str = Field(min_length=1, max_length=200)
    display_name: str | None = Field(default=None, max_length=200)
    time_zone: TimeZoneName | None = None
    base_currency: CurrencyCode | None = None


class SignUpOut(BaseModel):
    tenant_id: uuid.UUID
    user_id: uuid.UUID


class InvitationIn(BaseModel):
    email: str = Field(max_length=320)
    role: Role


class InvitationOut(BaseModel):
    invitation_id: uuid.UUID


class AcceptInvitationIn(BaseModel):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    display_name: str | None = Field(default=None, max_length=200)


class MembershipOut(BaseModel):
    tenant_id: uuid.UUID
    user_id: uuid.UUID


class PasswordResetIn(BaseModel):
    email: str = Field(max_length=320)


class PasswordResetConfirmIn(BaseModel):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str | None
    role: Role
    created_at: datetime


class RoleIn(BaseModel):
    role: Role


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ApiKeyOut(BaseModel):
    key_id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewApiKeyOut(BaseModel):
    key_id: uuid.UUID
    prefix: str
    key: str = Field(description="Shown once; only its hash is stored.")


class ClientIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role = "viewer"


class NewClientOut(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once; only its hash is stored.")
    roles: list[str]


class TenantOut(BaseModel):
    tenant_id: uuid.UUID
    name: str
    time_zone: str | None
    base_currency: str | None
    primary_source: str | None


class TenantPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    time_zone: TimeZoneName | None = None
    base_currency: CurrencyCode | None = None


class MeOut(BaseModel):
    sub: str
    tenant_id: uuid.UUID
    roles: list[str]
    via: str
    email: str | None = None
