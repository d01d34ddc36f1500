"""Pydantic shapes of accounts, one per purpose, with bounds on every field; phones leave the service masked."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from livecommerce.accounts.models import User
from livecommerce.accounts.roles import ROLES
from livecommerce.core.privacy import mask_phone
from livecommerce.core.timeutil import aware

USERNAME_PATTERN = r"^[\w.@-]{2,64}$"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


class UserPublic(BaseModel):
    """A user as shown to others: no password hash, phone masked."""

    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    scope_region: str | None
    scope_entity: str | None
    phone: str | None
    active: bool
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserPublic:
        """The public view of one user row."""
        return cls(
            id=user.id, username=user.username, display_name=user.display_name, role=user.role,
            role_label=ROLES.get(user.role, user.role), scope_region=user.scope_region, scope_entity=user.scope_entity,
            phone=mask_phone(user.phone), active=user.active,
            locked_until=aware(user.locked_until) if user.locked_until else None,
            created_at=aware(user.created_at),
            last_login_at=aware(user.last_login_at) if user.last_login_at else None,
        )


class UserCreate(BaseModel):
    """A new user as an administrator enters it; the password is generated when none is given."""

    username: str = Field(pattern=USERNAME_PATTERN)
    role: str = Field(max_length=32)
    password: str | None = Field(None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    scope_region: str | None = Field(None, max_length=40)
    scope_entity: str | None = Field(None, max_length=18)
    display_name: str = Field("", max_length=100)
    phone: str | None = Field(None, max_length=20)
    can_view_personal_data: bool = False


class UserCreated(BaseModel):
    """The answer to a creation: the user, and the generated password shown this once (None when one was given)."""

    user: UserPublic
    password: str | None = None


class LoginRequest(BaseModel):
    """Credentials posted to /api/auth/login."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class LoginAnswer(BaseModel):
    """A successful API login: who, and the CSRF token to send in X-CSRF-Token with every write."""

    user: UserPublic
    csrf_token: str
