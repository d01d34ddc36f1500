"""Pydantic shapes of accounts, one per purpose, with bounds on every field; phones leave the service masked."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from livecommerce.accounts.models import ApiToken, User
from livecommerce.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from livecommerce.accounts.roles import ROLES
from livecommerce.core.privacy import mask_phone
from livecommerce.core.timeutil import aware

USERNAME_PATTERN = r"^[\w.@-]{2,64}$"
MIN_PASSWORD_LENGTH = MIN_LENGTH
MAX_PASSWORD_LENGTH = MAX_LENGTH
MAX_TOKEN_DAYS = 365


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
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserPublic:
        """The public view of one user row."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            role_label=ROLES.get(user.role, user.role),
            scope_region=user.scope_region,
            scope_entity=user.scope_entity,
            phone=mask_phone(user.phone),
            active=user.active,
            must_change_password=user.must_change_password,
            created_at=aware(user.created_at),
            last_login_at=aware(user.last_login_at) if user.last_login_at else None,
        )


class UserCreate(BaseModel):
    """A new user as an administrator enters it; the password is generated when none is given."""

    username: str = Field(pattern=USERNAME_PATTERN)
    role: str = Field(max_length=32)
    password: str | None = Field(None, max_length=MAX_PASSWORD_LENGTH, description="Checked by the password policy.")
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


class PasswordChange(BaseModel):
    """A user changes its own password: the current one, and a new one that passes the policy."""

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class PasswordReset(BaseModel):
    """An administrator resets a user's password: generated when none is given; tokens revoked unless kept."""

    password: str | None = Field(None, max_length=MAX_PASSWORD_LENGTH, description="Checked by the password policy.")
    keep_tokens: bool = Field(False, description="Keep the user's API tokens (a platform feed account).")


class PasswordResetAnswer(BaseModel):
    """The answer to a reset: the user, and the generated password shown this once (None when one was given)."""

    user: UserPublic
    password: str | None = None
    tokens_revoked: int


class TokenIssue(BaseModel):
    """A new API token: what it is for and how many days it lives (settings.token_default_days when omitted)."""

    name: str = Field(min_length=1, max_length=100)
    expires_days: int | None = Field(None, ge=1, le=MAX_TOKEN_DAYS)


class TokenIssued(BaseModel):
    """A token just issued: the plaintext is shown this once."""

    id: int
    token: str
    expires_at: datetime


class TokenPublic(BaseModel):
    """A token as listed: never the plaintext nor its hash. ``state`` is active, expired or revoked."""

    id: int
    user_id: int
    username: str
    name: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str

    @classmethod
    def of(cls, row: ApiToken, user: User, state: str) -> TokenPublic:
        """The public view of one token row."""
        return cls(
            id=row.id,
            user_id=user.id,
            username=user.username,
            name=row.name,
            created_at=aware(row.created_at),
            created_by=row.created_by,
            expires_at=aware(row.expires_at),
            last_used_at=aware(row.last_used_at) if row.last_used_at else None,
            revoked_at=aware(row.revoked_at) if row.revoked_at else None,
            state=state,
        )
