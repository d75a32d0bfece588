"""ROLE_PERMISSIONS is merged at start-up from what each app registers; it grants
exactly what the one hand-written table of the foundation granted before."""

from backend.accounts import scope
from backend.accounts.models import Role

QUIZ_ADMIN = {
    f"quizzes.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("questionbank", "question", "quiz", "quizquestion")
}

BEFORE = {
    Role.CITY_ADMIN: {
        "accounts.view_unit",
        "accounts.add_unit",
        "accounts.change_unit",
        "accounts.delete_unit",
        "accounts.view_branch",
        "accounts.add_branch",
        "accounts.change_branch",
        "accounts.delete_branch",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "points.view_pointrule",
        "points.change_pointrule",
        "points.view_pointevent",
        "points.add_pointevent",
        "courses.view_lecture",
        "courses.add_lecture",
        "courses.change_lecture",
        "courses.delete_lecture",
        "courses.view_attachment",
        "courses.add_attachment",
        "courses.change_attachment",
        "courses.delete_attachment",
        "courses.view_readinglist",
        "courses.add_readinglist",
        "courses.change_readinglist",
        "courses.delete_readinglist",
        "courses.view_readingitem",
        "courses.add_readingitem",
        "courses.change_readingitem",
        "courses.delete_readingitem",
        *QUIZ_ADMIN,
    },
    Role.UNIT_ADMIN: {
        *QUIZ_ADMIN,
        "accounts.view_unit",
        "accounts.view_branch",
        "accounts.add_branch",
        "accounts.change_branch",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "points.view_pointrule",
        "points.view_pointevent",
        "points.add_pointevent",
    },
    Role.SECRETARY: {"accounts.view_branch", "accounts.view_user", "points.view_pointevent"},
    Role.MEMBER: set(),
}


# Added by organisational life (issue 13): the city admin edits the compliance rules,
# Party groups and committee seats, and reads sessions, leave and make-up.
ORGLIFE_CITY_ADMIN = {
    "orglife.view_compliancerule",
    "orglife.change_compliancerule",
    "orglife.view_session",
    "orglife.view_leaverequest",
    "orglife.view_makeuptask",
    *(
        f"orglife.{a}_{m}"
        for a in ("view", "add", "change", "delete")
        for m in ("partygroup", "committeeseat")
    ),
}

# Added by supervision (issue 14): the city admin edits the year's indicators and
# settings, and reads published assessments and explanations.
SUPERVISION_CITY_ADMIN = {
    *(f"supervision.{a}_{m}" for a in ("view", "add", "change") for m in ("indicator",)),
    *(f"supervision.{a}_assessmentsetting" for a in ("view", "add", "change")),
    "supervision.view_assessment",
    "supervision.view_explanation",
}


def test_the_merged_table_grants_what_it_did():
    expected = {
        **BEFORE,
        Role.CITY_ADMIN: BEFORE[Role.CITY_ADMIN] | ORGLIFE_CITY_ADMIN | SUPERVISION_CITY_ADMIN,
    }
    assert {role: set(perms) for role, perms in scope.ROLE_PERMISSIONS.items()} == expected


def test_registering_is_idempotent_and_additive():
    before = dict(scope.ROLE_PERMISSIONS)
    try:
        scope.register_role_permissions(Role.SECRETARY, {"points.view_pointevent"})
        assert before == scope.ROLE_PERMISSIONS
        scope.register_role_permissions(Role.MEMBER, {"quizzes.view_quiz"})
        assert scope.ROLE_PERMISSIONS[Role.MEMBER] == {"quizzes.view_quiz"}
    finally:
        scope.ROLE_PERMISSIONS.clear()
        scope.ROLE_PERMISSIONS.update(before)


def test_the_foundation_imports_no_feature_app():
    import ast
    from pathlib import Path

    from django.conf import settings

    # the project's wiring (settings, urls, routing) names the apps; the foundation's
    # apps do not
    features = {"courses", "quizzes", "contests", "demo"}
    foundation = ("accounts", "points", "common")
    paths = [p for app in foundation for p in (settings.BASE_DIR / "backend" / app).rglob("*.py")]
    for path in paths:
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in features, f"{path} imports {name}"
