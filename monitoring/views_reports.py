"""The act of public observation (приложение 3) and the monitoring card (приложение 1) on a phone: the person's
own form, saved item by item as it is typed, signed by submitting, corrected as a new version; the school's and
the department's reading of them, and their PDFs."""

from django.http import Http404
from django.views import View

from schools.access import Capability as C
from schools.access import CapabilityMixin


class _Stub(CapabilityMixin, View):
    def get(self, request, **kwargs):
        raise Http404


class ActView(_Stub):
    capability = C.OBSERVE


class ActSaveView(_Stub):
    capability = C.OBSERVE


class ActSubmitView(_Stub):
    capability = C.OBSERVE


class ActCorrectView(_Stub):
    capability = C.OBSERVE


class CardView(_Stub):
    capability = C.MONITOR


class CardSaveView(_Stub):
    capability = C.MONITOR


class CardSubmitView(_Stub):
    capability = C.MONITOR


class CardCorrectView(_Stub):
    capability = C.MONITOR


class SchoolReportsView(_Stub):
    capability = C.VIEW_OBSERVATION


class ReportReadView(_Stub):
    capability = C.VIEW_OBSERVATION


class ReportPdfView(_Stub):
    capability = C.VIEW_OBSERVATION
