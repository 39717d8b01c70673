"""Content Security Policy: one strict policy for the site, a looser one for Wagtail's admin.

The site's pages run only our own static scripts and scripts/styles carrying the per-request nonce
(`request.csp_nonce`), so an injected `<script>` or `onclick=` does nothing. Wagtail's admin (under
/admin/) is third-party code we do not rewrite; it gets `CONTENT_SECURITY_POLICY_ADMIN` (see
settings) instead, which is still same-origin only. Both are sent in every environment (dev, test,
production), so a page that breaks the policy breaks in the tests, not in production.
"""

from django.conf import settings
from csp.middleware import CSPMiddleware, PolicyParts


class PathCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith(admin_prefix()):
            return PolicyParts(config=settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"],
                               update=parts.update, replace=parts.replace, nonce=parts.nonce)
        return parts


def admin_prefix():
    return getattr(settings, "CSP_ADMIN_PATH_PREFIX", "/admin/")
