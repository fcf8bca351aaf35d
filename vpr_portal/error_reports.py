"""Error reports that carry no personal data.

Django's report of a 500 (the e-mail to ADMINS, the debug page) lists form fields, the query string, cookies
and every local variable of every frame; in this portal those hold pupils' names and searches for them. The
report keeps what finds the bug — the exception, the traceback's code lines, the path, the user's id — and
replaces the rest with the filter's substitute.
"""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

HIDDEN_META = ("QUERY_STRING", "HTTP_REFERER", "HTTP_COOKIE", "RAW_URI", "REQUEST_URI")


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {key: self.cleansed_substitute if key in HIDDEN_META else value for key, value in meta.items()}


class PrivateExceptionReporter(ExceptionReporter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filter = PrivateExceptionReporterFilter()

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = [(key, self.filter.cleansed_substitute) for key in self.request.GET]
            data["request_FILES_items"] = [(key, self.filter.cleansed_substitute) for key in self.request.FILES]
            data["request_insecure_uri"] = self.request.path
            data["user_str"] = "user #{}".format(getattr(self.request.user, "pk", None))
        return data
