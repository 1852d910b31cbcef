"""The monthly assessment of every department (考核): figures, score, grade, sign-off."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "kefu.assessment"
    label = "assessment"
    verbose_name = _("Assessment")
