from django.contrib import admin
from django.urls import include, path

from projects import account_views, sign_in
from projects import views as project_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", project_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", project_views.sign_out, name="logout"),
    path("accounts/signed-out/", project_views.signed_out, name="signed-out"),
    path("accounts/still-here/", project_views.still_here, name="still-here"),
    path(
        "accounts/password/",
        project_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("language/", project_views.switch_language, name="switch-language"),
    # The second step of a sign-in with a password (issue 25): a code, or setting up the app.
    path("accounts/second-factor/", account_views.second_factor_check, name="second-factor"),
    path(
        "accounts/second-factor/set-up/",
        account_views.second_factor_setup,
        name="second-factor-setup",
    ),
    # Signing in with the organisation's account (OpenID Connect).
    path("sign-in/start/", sign_in.SignInStart.as_view(), name="oidc_authentication_init"),
    path("sign-in/return/", sign_in.SignInReturn.as_view(), name="oidc_authentication_callback"),
    path("api/v1/", include("checklists.api.urls")),
    path("", include("operations.urls")),
    path("", include("checklists.urls")),
    path("", include("projects.urls")),
]

# App-styled error pages in the user's language.
handler400 = "projects.middleware.bad_request"
handler403 = "projects.middleware.forbidden"
handler404 = "projects.middleware.not_found"
handler500 = "projects.middleware.server_error"
