"""The OpenAPI 3.1 document, written by hand and checked against real responses in the tests."""

VERSION = "1.0.0"


def _list_of(item: str) -> dict:
    """A page: items in id order and the cursor of the next page (null on the last)."""
    return {
        "type": "object",
        "required": ["data", "next_cursor"],
        "additionalProperties": False,
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "next_cursor": {"type": ["string", "null"]},
        },
    }


def _obj(required: dict) -> dict:
    """An object whose every property is required and no other is allowed."""
    return {
        "type": "object",
        "required": list(required),
        "additionalProperties": False,
        "properties": required,
    }


STR = {"type": "string"}
INT = {"type": "integer"}
TIME = {"type": "string", "format": "date-time"}
OPT_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "Module": _obj({"slug": STR, "title": STR, "minutes": INT}),
    "Course": _obj(
        {
            "id": INT,
            "slug": STR,
            "title": STR,
            "hours": {"type": "number"},
            "modules": {"type": "array", "items": {"$ref": "#/components/schemas/Module"}},
        }
    ),
    "Cohort": _obj(
        {
            "id": INT,
            "name": STR,
            "course": STR,
            "immersion_date": {"type": "string", "format": "date"},
            "timezone": STR,
            "capacity": INT,
        }
    ),
    "Progress": _obj(
        {
            "modules_read": INT,
            "modules_complete": INT,
            "items_checked": INT,
            "plan_state": STR,
            "certificate_state": STR,
            "last_activity_at": OPT_TIME,
        }
    ),
    "QuizResults": _obj(
        {"attempts": INT, "modules_passed": INT, "best_score": {"type": ["number", "null"]}}
    ),
    "Enrolment": _obj(
        {
            "id": INT,
            "name": STR,
            "email": STR,
            "profession": STR,
            "department": STR,
            "status": {"enum": ["active", "withdrawn"]},
            "enrolled_at": TIME,
            "progress": {"$ref": "#/components/schemas/Progress"},
            "quiz_results": {"$ref": "#/components/schemas/QuizResults"},
        }
    ),
    "Certificate": _obj(
        {
            "id": INT,
            "serial": {"type": ["string", "null"]},
            "recipient_name": STR,
            "course_title": STR,
            "organisation": STR,
            "hours": {"type": "number"},
            "issued_at": TIME,
            "expires_at": OPT_TIME,
            "revoked_at": OPT_TIME,
            "verification_url": {"type": "string", "format": "uri"},
            "continuing_education": _obj(
                {
                    "contact_hours": {"type": "number"},
                    "accreditation_statement": STR,
                    "provider_id": STR,
                }
            ),
        }
    ),
    "CourseList": _list_of("Course"),
    "CohortList": _list_of("Cohort"),
    "EnrolmentList": _list_of("Enrolment"),
    "CertificateList": _list_of("Certificate"),
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {"type": STR, "title": STR, "status": INT, "detail": STR},
    },
}

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERRORS = {
    code: {"description": text, "content": PROBLEM}
    for code, text in (
        ("400", "A bad cursor or limit"),
        ("401", "No token, or one that is unknown, expired or revoked"),
        ("403", "The token lacks the scope"),
        ("404", "No such cohort, or not one the token's owner may see"),
        ("429", "Too many requests; see Retry-After"),
    )
}
PAGING = [
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]
COHORT_ID = {"name": "cohort_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _get(summary: str, schema: str, scope: str | None, params: list) -> dict:
    """One read-only operation."""
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "security": [{"bearer": [scope] if scope else []}],
            "responses": {
                "200": {
                    "description": summary,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                    },
                },
                **ERRORS,
            },
        }
    }


def document(server: str) -> dict:
    """The whole document, with this site's /api/v1 as its server."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Social Media Residency API", "version": VERSION},
        "servers": [{"url": server}],
        "paths": {
            "/courses": _get("Courses and their modules", "CourseList", None, PAGING),
            "/cohorts": _get(
                "Cohorts the token's owner may see", "CohortList", "read:cohorts", PAGING
            ),
            "/cohorts/{cohort_id}/enrolments": _get(
                "A cohort's enrolments with progress and quiz results",
                "EnrolmentList",
                "read:cohorts",
                [COHORT_ID, *PAGING],
            ),
            "/cohorts/{cohort_id}/certificates": _get(
                "A cohort's certificates, revoked ones included",
                "CertificateList",
                "read:certificates",
                [COHORT_ID, *PAGING],
            ),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
