"""Logging in and out, first log-in by invitation, changing one's password, choosing a language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_login import logout_user as _logout_user

from kb import accounts
from kb.web.forms import ButtonForm, ChangePasswordForm, LanguageForm, LoginForm, NewPasswordForm
from kb.web.i18n import LANGUAGES
from kb.web.routes import facade
from kb.web.security import failed_log_in, limiter, login_address_limit, login_limit

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class User(UserMixin):
    """The logged-in colleague; the session id carries the session version so it can be ended."""

    def __init__(self, account: accounts.Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.person_id}|{self.account.session_version}"

    @property
    def viewer(self):
        return self.account.viewer

    @property
    def person_id(self) -> str:
        return self.account.person_id

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def is_coordinator(self) -> bool:
        return self.account.is_coordinator


@login_manager.user_loader
def load_user(user_id: str):
    person_id, _sep, version = user_id.rpartition("|")
    if not person_id or not version.isdigit():
        return None
    account = accounts.session_account(facade(), person_id, int(version))
    return User(account) if account else None


def init_app(app: Flask) -> None:
    """Install Flask-Login: pages send anonymous visitors to the log-in page."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att fortsätta.")
    login_manager.login_message_category = "info"
    # The session version in the id already ends stolen sessions; this also pins the browser.
    login_manager.session_protection = "basic"

    @app.context_processor
    def forms():
        # formdata=None: the header's forms never read a request (it may be one too large).
        return {
            "logout_form": ButtonForm(formdata=None, prefix="logout"),
            "language_form": LanguageForm(formdata=None, prefix="lang"),
        }


def safe_next(target: str | None) -> str:
    """Return a local path to go on to after logging in; anything else goes to the start page."""
    if not target:
        return url_for("pages.search")
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        # CR/LF would split the Location header: refuse the target, go to the start page.
        return url_for("pages.search")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("pages.search")
    return target


def start_session(account: accounts.Account) -> None:
    """Log a colleague in with a fresh session (no fixation of an old one)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(User(account))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_address_limit, methods=["POST"], deduct_when=failed_log_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.search"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    failed = False
    if form.validate_on_submit():
        throttle = current_app.extensions["kb_login_throttle"]
        person_id = accounts.resolve_handle(facade(), form.handle.data)
        address = request.remote_addr or ""
        with throttle.attempt(person_id, address) as allowed:
            if not allowed:
                return render_template("login.html", form=form, busy=True), 429
            account = accounts.authenticate(facade(), form.handle.data, form.password.data)
        if account is not None and not current_app.extensions["kb_sso"].password_allowed(
            account.person_id
        ):
            return render_template("login.html", form=form, refused_password=True), 403
        if account is not None:
            start_session(account)
            return redirect(safe_next(form.next.data))
        throttle.failed(person_id, address)
        failed = True
    return render_template("login.html", form=form, failed=failed)


@bp.post("/logout")
def logout():
    if not ButtonForm(prefix="logout").validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        accounts.end_sessions(facade(), current_user.person_id)
    via = session.get("sso_via")
    sso_session = session.get("sso_logout")
    _logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    if via:
        # The IdP ends its own session too when it offers single log-out (a link: the CSP's
        # form-action stops this form's answer from redirecting to another site).
        location = current_app.extensions["kb_sso_logout"](sso_session)
        if location:
            return render_template("sso_logout.html", location=location)
        flash(_("Du är fortfarande inloggad hos din organisation."), "info")
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def welcome(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        invited = accounts.read_invitation(facade(), token, secret)
    except accounts.BadInvitation as exc:
        return render_template("welcome_invalid.html", reason=str(exc)), 404
    if not current_app.extensions["kb_sso"].password_allowed(invited.person_id):
        return render_template("login.html", form=LoginForm(), refused_password=True), 403
    form = NewPasswordForm()
    if form.validate_on_submit():
        account = accounts.accept_invitation(facade(), token, secret, form.password.data)
        start_session(account)
        flash(_("Välkommen! Ditt lösenord är sparat."), "success")
        return redirect(url_for("pages.search"))
    return render_template("welcome.html", form=form, name=invited.name)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_limit, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    wrong = False
    if form.validate_on_submit():
        if accounts.authenticate(facade(), current_user.person_id, form.current.data) is None:
            wrong = True
        else:
            account = accounts.set_password(facade(), current_user.person_id, form.password.data)
            # Every other session has ended with the new version; this one goes on.
            start_session(account)
            flash(_("Ditt lösenord är bytt. Du har loggats ut på andra enheter."), "success")
            return redirect(url_for("pages.profile", person_id=account.person_id))
    return render_template("password.html", form=form, wrong=wrong)


@bp.post("/language")
def language():
    form = LanguageForm(prefix="lang")
    if not form.validate_on_submit() or form.lang.data not in LANGUAGES:
        abort(400)
    session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data))
