"""The forms of the pages; each carries a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kb.accounts import MAX_PASSWORD, MIN_PASSWORD
from kb.ingest.formats import SHARE_EXTENSIONS, SHARE_LABELS
from kb.ingest.records import STEPS

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes plain pairs

    def SelectChoice(value, label):  # stands in for the class of WTForms 3.3
        return (value, label)


REQUIRED = _l("Fyll i det här fältet.")
PASSWORD_LENGTH = Length(
    min=MIN_PASSWORD,
    max=MAX_PASSWORD,
    message=_l("Lösenordet ska ha minst %(min)d tecken.", min=MIN_PASSWORD),
)
SAME = _l("Lösenorden är inte lika.")
COMMON = _l("Lösenordet är för vanligt: det är ett av de 10 000 mest använda. Välj ett annat.")


def not_common(form, field) -> None:
    """Refuse a password on the list of common passwords."""
    from wtforms.validators import ValidationError

    from kb.accounts import is_common

    if field.data and is_common(field.data):
        raise ValidationError(COMMON)


def choices(pairs) -> list:
    """Turn (value, label) pairs into select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def visibility_choices() -> list:
    from kb.web.i18n import VISIBILITIES

    return choices(VISIBILITIES.items())


def language_choices() -> list:
    return choices(
        [("sv", _l("svenska")), ("en", _l("engelska")), ("", _l("Gissa utifrån texten"))]
    )


class LoginForm(FlaskForm):
    handle = StringField(
        _l("E-post eller användarnamn"),
        [DataRequired(REQUIRED)],
        render_kw={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Lösenord"), [DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()
    submit = SubmitField(_l("Logga in"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nytt lösenord"),
        [DataRequired(REQUIRED), PASSWORD_LENGTH, not_common],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("Upprepa det nya lösenordet"),
        [DataRequired(REQUIRED), EqualTo("password", SAME)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Spara lösenordet"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Nuvarande lösenord"),
        [DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (log out): the CSRF token is all it carries."""


class LanguageForm(FlaskForm):
    lang = HiddenField()
    next = HiddenField()


class ProfileForm(FlaskForm):
    role = StringField(_l("Roll"), [Optional(), Length(max=300)])
    subjects = StringField(_l("Ämnen"), [Optional(), Length(max=500)])
    grades = StringField(_l("Årskurser"), [Optional(), Length(max=200)])
    languages = StringField(_l("Språk jag talar"), [Optional(), Length(max=300)])
    mentor = BooleanField(_l("Jag kan vara mentor för nya kollegor"))
    mentor_capacity = IntegerField(
        _l("Hur många adepter samtidigt"), [Optional(), NumberRange(min=0, max=10)]
    )
    bio = TextAreaField(_l("Om mig"), [Optional(), Length(max=5000)], render_kw={"rows": 5})
    submit = SubmitField(_l("Spara profilen"))


class CheckboxesField(SelectMultipleField):
    """Several choices shown as a list of checkboxes, which work well with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShareForm(FlaskForm):
    file = FileField(_l("Fil"), render_kw={"accept": ",".join(SHARE_EXTENSIONS)})
    # The formats it takes, as its hint names them: "Markdown (.md), ..., Word (.docx)".
    formats = SHARE_LABELS
    # The token of a file already sent with a form that had a mistake: it is kept on the server.
    kept = HiddenField()
    title = StringField(_l("Titel"), [Optional(), Length(max=300)])
    subjects = StringField(_l("Ämnen"), [Optional(), Length(max=500)])
    grades = StringField(_l("Årskurser"), [Optional(), Length(max=200)])
    tags = StringField(_l("Taggar"), [Optional(), Length(max=500)])
    language = SelectField(_l("Språk"), default="sv")
    visibility = SelectField(_l("Vem får läsa"), default="all")
    coauthors = CheckboxesField(_l("Medförfattare"), choices=[], validate_choice=True)
    # The material request this material answers (its number), when shared from one.
    answers = HiddenField()
    submit = SubmitField(_l("Dela materialet"))

    def __init__(self, *args, people: list[dict] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.visibility.choices = visibility_choices()
        self.coauthors.choices = choices((p["id"], p["name"]) for p in people)


class ReflectionForm(FlaskForm):
    title = StringField(_l("Rubrik"), [DataRequired(REQUIRED), Length(max=300)])
    group = StringField(
        _l("Lärgrupp"),
        [DataRequired(REQUIRED), Length(max=300)],
        render_kw={"list": "known-groups", "autocomplete": "off"},
    )
    date = DateField(_l("Datum för träffen"), [InputRequired(REQUIRED)])
    step = SelectField(_l("Steg i cykeln"))
    participants = CheckboxesField(_l("Deltagare"), choices=[], validate_choice=True)
    tags = StringField(_l("Taggar"), [Optional(), Length(max=500)])
    visibility = SelectField(_l("Vem får läsa"), default="all")
    did = TextAreaField(_l("Vad gjorde vi?"), [Length(max=20000)], render_kw={"rows": 5})
    went_well = TextAreaField(_l("Vad gick bra?"), [Length(max=20000)], render_kw={"rows": 5})
    went_less_well = TextAreaField(
        _l("Vad gick mindre bra?"), [Length(max=20000)], render_kw={"rows": 5}
    )
    take_away = TextAreaField(_l("Vad tar vi med oss?"), [Length(max=20000)], render_kw={"rows": 5})
    submit = SubmitField(_l("Spara reflektionen"))

    def __init__(self, *args, people: list[dict] = (), **kwargs) -> None:
        from kb.web.i18n import STEPS as STEP_LABELS

        super().__init__(*args, **kwargs)
        self.step.choices = choices((s, STEP_LABELS[s]) for s in STEPS)
        self.visibility.choices = visibility_choices()
        self.participants.choices = choices((p["id"], p["name"]) for p in people)


class EditMaterialForm(FlaskForm):
    """Changing shared material: its metadata, its co-authors and (Markdown, text) its text."""

    title = StringField(_l("Titel"), [DataRequired(REQUIRED), Length(max=300)])
    text = TextAreaField(_l("Text"), [Optional(), Length(max=200_000)], render_kw={"rows": 14})
    subjects = StringField(_l("Ämnen"), [Optional(), Length(max=500)])
    grades = StringField(_l("Årskurser"), [Optional(), Length(max=200)])
    tags = StringField(_l("Taggar"), [Optional(), Length(max=500)])
    language = SelectField(_l("Språk"), default="sv")
    visibility = SelectField(_l("Vem får läsa"), default="all")
    coauthors = CheckboxesField(_l("Medförfattare"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Spara ändringarna"))

    def __init__(self, *args, people: list[dict] = (), with_text: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.visibility.choices = visibility_choices()
        self.coauthors.choices = choices((p["id"], p["name"]) for p in people)
        if not with_text:
            del self.text
