"""Admin forms of the question bank."""

from wagtail.admin.forms import WagtailAdminModelForm

from .models import Question


class QuestionForm(WagtailAdminModelForm):
    """Checks the answer key as a whole (the options are a formset, so the model cannot)."""

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        options = [
            (form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False))
            for form in self.formsets["options"].forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        errors = Question.key_errors(self.cleaned_data.get("kind"), options,
                                     answer_true=self.cleaned_data.get("answer_true"),
                                     accepted_answers=self.cleaned_data.get("accepted_answers", ""))
        for message in errors:
            self.add_error(None, message)
        return not errors
