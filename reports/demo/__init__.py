"""The demonstration municipality, built through the portal's own services: the register (`registry`), the
finished ВПР campaigns with their results and planted patterns (`results`, `patterns`), the campaign in
preparation (`campaigns`) and a training campaign going on today (`training`). Everything is fictitious and
the build is idempotent. It lives in `reports`, the top of the apps, because it uses all of them."""
