"""Admin: the moderation queue, held-wish review, roles and the audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from wishmap import admin_vocabulary, db
from wishmap.account_forms import RoleForm
from wishmap.jobs import failed_jobs
from wishmap.security import roles
from wishmap.services import moderation
from wishmap.services.audit import recent_entries
from wishmap.services.holds import held_page
from wishmap.views._nav import whole_number

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Open reports listed at once on the moderation page (the oldest; the rest are counted).
REPORTS_SHOWN = 100

# roles() with no role admits admins alone.
admin_only = roles()


def _ids(name: str) -> list[int]:
    """Return the integer ids posted under name; a malformed one is a 400, not a 500."""
    ids = [whole_number(value) for value in request.form.getlist(name)]
    if any(found is None for found in ids):
        abort(400, description="ids must be whole numbers")
    return [found for found in ids if found is not None]


@bp.get("/")
@admin_only
def index() -> str:
    """What waits for an admin: reports, held wishes."""
    session = db.session()
    return render_template(
        "admin/index.html",
        reports=moderation.open_report_count(session),
        held=len(moderation.held_wishes(session)),
    )


@bp.get("/reports")
@admin_only
def reports() -> str:
    """The moderation queue (its oldest reports), and the wishes hidden lately."""
    session = db.session()
    # The oldest first, a screenful at a time: each one handled makes room for the next.
    return render_template(
        "admin/reports.html",
        reports=moderation.open_reports(session, limit=REPORTS_SHOWN),
        open_count=moderation.open_report_count(session),
        hidden=moderation.hidden_wishes(session),
    )


@bp.post("/wishes/<int:wish_id>/hide")
@admin_only
def hide(wish_id: int) -> Response:
    """Hide a wish; its open reports are resolved."""
    try:
        moderation.hide_wish(db.session(), current_user, wish_id)
    except moderation.NotFound:
        abort(404)
    except moderation.ModerationError as error:
        flash(str(error))
    else:
        flash(_("The wish is hidden."))
    return redirect(url_for("admin.reports"))


@bp.post("/wishes/<int:wish_id>/restore")
@admin_only
def restore(wish_id: int) -> Response:
    """Bring a hidden wish back."""
    try:
        moderation.restore_wish(db.session(), current_user, wish_id)
    except moderation.NotFound:
        abort(404)
    except moderation.ModerationError as error:
        flash(str(error))
    else:
        flash(_("The wish is restored."))
    return redirect(url_for("admin.reports"))


@bp.post("/reports/<int:report_id>/dismiss")
@admin_only
def dismiss(report_id: int) -> Response:
    """Close a report, leaving its wish as it is."""
    try:
        moderation.dismiss_report(db.session(), current_user, report_id)
    except moderation.NotFound:
        abort(404)
    flash(_("The report is dismissed."))
    return redirect(url_for("admin.reports"))


@bp.get("/held")
@admin_only
def held() -> str | tuple[str, int]:
    """The wishes the burst rules hold, to release or reject, a page of whole bursts at a time."""
    number = whole_number(request.args.get("page", "1"))
    if not number:
        message = _("The page must be a whole number from 1.")
        return render_template("wishes/refused.html", message=message), 400
    page = held_page(db.session(), number)
    if number > page.pages:
        abort(404)
    return render_template("admin/held.html", bursts=page.bursts, page=page)


@bp.post("/held")
@admin_only
def decide_held() -> Response:
    """Release (they count) or reject (they are hidden) the chosen held wishes."""
    # The chosen wishes, or every wish of one burst ("Release the whole burst").
    ids, decision = _ids("wish_id") + _ids("burst_wish_id"), request.form.get("decision")
    if decision == "release":
        count = moderation.release_wishes(db.session(), current_user, ids)
        flash(_("%(count)d wishes released: they count now.", count=count))
    elif decision == "reject":
        count = moderation.reject_held(db.session(), current_user, ids)
        flash(_("%(count)d wishes rejected and hidden.", count=count))
    else:
        abort(400, description="decision must be release or reject")
    return redirect(url_for("admin.held"))


@bp.route("/roles", methods=["GET", "POST"])
@admin_only
def roles_view() -> tuple[str, int] | Response:
    """Give an account a role (owner, agency, officer, admin); found by its exact e-mail."""
    form = RoleForm()
    if form.validate_on_submit():
        try:
            moderation.change_role(db.session(), current_user, form.email.data, form.role.data)
        except moderation.ModerationError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("The role is changed."))
            return redirect(url_for("admin.roles_view"))
    status = 400 if form.errors else 200
    return render_template("admin/roles.html", form=form), status


@bp.get("/audit")
@admin_only
def audit() -> str:
    """The audit log of admin actions, newest first."""
    page = whole_number(request.args.get("page")) or 1
    entries = recent_entries(db.session(), limit=100, offset=(max(page, 1) - 1) * 100)
    return render_template(
        "admin/audit.html",
        entries=entries,
        page=max(page, 1),
        # The log stores codes; the page says them in the reader's language.
        action_label=admin_vocabulary.action_label,
        target_label=admin_vocabulary.target_label,
        role_label=admin_vocabulary.role_label,
        change_text=admin_vocabulary.change_text,
    )


@bp.get("/jobs")
@admin_only
def jobs() -> str:
    """Background jobs that failed after their retries (when they run on RQ)."""
    return render_template("admin/jobs.html", failed=failed_jobs(current_app.config))
