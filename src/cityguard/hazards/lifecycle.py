"""The hazard lifecycle as a pure table: (state, action) → (next state, roles allowed).

    reported ──assign──▶ assigned ──start──▶ rectifying ──submit──▶ verifying ──verify──▶ closed
                                                 ▲                      │
                                                 └────────reject────────┘

排查 → 整改 → 验收 → 销号. No Django import: the services enforce this table (plus the
guards that need the database, such as a major hazard's rectification plan), and the
property tests check it on its own.

Who may do what (roles are `core.choices.Role` values):
- street officers, in their street: report, assign, verify (close) and reject;
- enterprise safety managers, for their own organisation: report self-inspection hazards,
  start the rectification and submit it for verification;
- district administrators and staff: everything;
- viewers and API clients: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- states ------------------------------------------------------------------------------

REPORTED = "reported"
ASSIGNED = "assigned"
RECTIFYING = "rectifying"
VERIFYING = "verifying"
CLOSED = "closed"

STATES: tuple[str, ...] = (REPORTED, ASSIGNED, RECTIFYING, VERIFYING, CLOSED)
OPEN_STATES: tuple[str, ...] = (REPORTED, ASSIGNED, RECTIFYING, VERIFYING)
INITIAL = REPORTED

# --- actions -----------------------------------------------------------------------------

ASSIGN = "assign"
START = "start"
SUBMIT = "submit"
VERIFY = "verify"
REJECT = "reject"

ACTIONS: tuple[str, ...] = (ASSIGN, START, SUBMIT, VERIFY, REJECT)

# --- roles -------------------------------------------------------------------------------

DISTRICT_ADMIN = "district_admin"
DISTRICT_STAFF = "district_staff"
STREET_OFFICER = "street_officer"
ENTERPRISE_MANAGER = "enterprise_manager"
VIEWER = "viewer"
API_CLIENT = "api_client"

ROLES: tuple[str, ...] = (
    DISTRICT_ADMIN,
    DISTRICT_STAFF,
    STREET_OFFICER,
    ENTERPRISE_MANAGER,
    VIEWER,
    API_CLIENT,
)
DISTRICT: frozenset[str] = frozenset({DISTRICT_ADMIN, DISTRICT_STAFF})

# Who may report a hazard at all (an enterprise manager only a self-inspection one, for
# their own organisation: the services check that part).
REPORT_ROLES: frozenset[str] = DISTRICT | {STREET_OFFICER, ENTERPRISE_MANAGER}

TABLE: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (REPORTED, ASSIGN): (ASSIGNED, DISTRICT | {STREET_OFFICER}),
    (ASSIGNED, START): (RECTIFYING, DISTRICT | {ENTERPRISE_MANAGER}),
    (RECTIFYING, SUBMIT): (VERIFYING, DISTRICT | {ENTERPRISE_MANAGER}),
    (VERIFYING, VERIFY): (CLOSED, DISTRICT | {STREET_OFFICER}),
    (VERIFYING, REJECT): (RECTIFYING, DISTRICT | {STREET_OFFICER}),
}


@dataclass(eq=False)
class Refusal(Exception):
    """Why a transition cannot be made.

    `reason` is one of: "unknown_action", "unknown_state", "wrong_state" (the action
    exists but not from this state), "role" (the role may not make it).
    """

    reason: str
    state: str
    action: str
    role: str | None
    allowed: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.reason}: {self.action!r} from {self.state!r} as {self.role!r}"


def next_state(state: str, action: str, role: str | None) -> str:
    """The state `action` leads to from `state`, or `Refusal` when it may not be made."""
    if state not in STATES:
        raise Refusal("unknown_state", state, action, role)
    if action not in ACTIONS:
        raise Refusal("unknown_action", state, action, role, actions_from(state))
    entry = TABLE.get((state, action))
    if entry is None:
        raise Refusal("wrong_state", state, action, role, actions_from(state))
    target, roles = entry
    if role not in roles:
        raise Refusal("role", state, action, role, allowed_actions(state, role))
    return target


def actions_from(state: str) -> tuple[str, ...]:
    """Every action that exists from `state`, whoever makes it."""
    return tuple(a for a in ACTIONS if (state, a) in TABLE)


def allowed_actions(state: str, role: str | None) -> tuple[str, ...]:
    """The actions `role` may make from `state`, in lifecycle order."""
    return tuple(a for a in ACTIONS if role in TABLE.get((state, a), ("", frozenset()))[1])


def roles_for(state: str, action: str) -> frozenset[str]:
    entry = TABLE.get((state, action))
    return entry[1] if entry else frozenset()


def is_open(state: str) -> bool:
    return state in OPEN_STATES
