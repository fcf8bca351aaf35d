"""The authentication backend: Django's ModelBackend whose signed-in user is read from a short copy in the cache
(schools.accounts_cache)."""

from django.contrib.auth.backends import ModelBackend

from .accounts_cache import cached_account


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = cached_account(user_id, lambda: super(AccountBackend, self).get_user(user_id))
        # a copy is checked as the database's row would be (an inactive account is refused)
        return user if user is not None and self.user_can_authenticate(user) else None
