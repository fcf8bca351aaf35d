"""One shape for the POSTs that do one thing to one object (a case's question, answer or conclusion; a
violation's answer or closing): `act()` does it through a service and returns the success message; a refusal
(ValidationError) shows its Russian messages; either way back to `done_url()`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


class ActionMixin:
    def act(self, request) -> str:
        raise NotImplementedError

    def done_url(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            done = self.act(request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect(self.done_url())
