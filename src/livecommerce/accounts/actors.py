"""Actors built from users and tokens: what ``core.scope.restrict`` asks for a grant."""

from __future__ import annotations

from dataclasses import dataclass

from livecommerce.accounts.roles import grant_for
from livecommerce.core.scope import Grant


@dataclass(frozen=True)
class UserActor:
    """A logged-in user (or a platform token's user) as an actor: name, role, scope."""

    user_id: int
    name: str
    role: str
    scope_region: str | None = None
    scope_entity: str | None = None
    can_view_personal_data: bool = False

    def grant(self, action: str) -> Grant:
        if action == "personal.view" and not self.can_view_personal_data:
            return Grant(reason="personal data is a permission of its own")
        return grant_for(self.role, self.scope_region, self.scope_entity, action)
