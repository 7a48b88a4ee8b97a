"""Users with roles and scopes, access tokens, login throttles."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db

ADMIN = "consortium_admin"
ORG_STAFF = "org_staff"
OFFICIAL = "prefecture_official"
SUPERVISOR = "supervisor"
LEARNER = "learner"
ROLES = (ADMIN, ORG_STAFF, OFFICIAL, SUPERVISOR, LEARNER)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES}", name="role_known"),
        CheckConstraint(f"role <> '{ORG_STAFF}' OR organization_code IS NOT NULL", name="org_staff_scoped"),
        CheckConstraint(f"role <> '{OFFICIAL}' OR prefecture_code IS NOT NULL", name="official_scoped"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    organization_code: Mapped[str | None] = mapped_column(ForeignKey("organizations.code"))
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("prefectures.code"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sites: Mapped[list["UserSite"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def site_ids(self) -> list[str]:
        return sorted(s.site_id for s in self.sites)


class UserSite(db.Model):
    """A supervisor's scope: the OJT sites they supervise."""

    __tablename__ = "user_sites"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("ojt_sites.id"), primary_key=True, index=True)


class AccessToken(db.Model):
    """An opaque bearer token, stored only as its SHA-256."""

    __tablename__ = "access_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(db.Model):
    """Login attempts per key (a hash of the e-mail address) in the current window: each is counted before
    its password is checked (see `lms.auth.service.login`); a successful login deletes the row."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
