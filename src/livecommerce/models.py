"""Imports every package's tables so that Base.metadata knows them all (Alembic and tests use this)."""

from livecommerce.accounts import models as accounts_models  # noqa: F401
from livecommerce.entities import models as entities_models  # noqa: F401
from livecommerce.monitor import models as monitor_models  # noqa: F401
from livecommerce.policy import models as policy_models  # noqa: F401
from livecommerce.stats import models as stats_models  # noqa: F401
