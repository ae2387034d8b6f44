from django.urls import path

from . import organisation_views, staff_views, views
from .eid import views as eid_views

app_name = "accounts"

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.logout_view, name="logout"),
    path("registrieren/", views.register, name="register"),
    path("registrieren/gesendet/", views.register_done, name="register_done"),
    path("bestaetigung-erneut/", views.confirmation_resend, name="confirmation_resend"),
    path("bestaetigung-erneut/gesendet/", views.confirmation_resend_done, name="confirmation_resend_done"),
    path("bestaetigen/<str:token>/", views.verify_email, name="verify_email"),
    path("", views.account_home, name="home"),
    path("profil/", views.profile_edit, name="profile"),
    path("datenzugriffe/", views.data_accesses, name="data_accesses"),
    path("loeschen/", views.account_delete, name="delete"),
    path("passwort/", views.password_change, name="password_change"),
    path("passwort-vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path("passwort-vergessen/gesendet/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "passwort-neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("organisationen/", views.organisation_list, name="organisations"),
    path("organisationen/neu/", views.organisation_create, name="organisation_create"),
    path("organisationen/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisationen/<int:pk>/einladen/", organisation_views.invite, name="organisation_invite"),
    path(
        "organisationen/<int:pk>/einladungen/<int:invitation_pk>/zurueckziehen/",
        organisation_views.invitation_withdraw,
        name="organisation_invitation_withdraw",
    ),
    path(
        "organisationen/<int:pk>/mitglieder/<int:membership_pk>/entfernen/",
        organisation_views.member_remove,
        name="organisation_member_remove",
    ),
    path(
        "organisationen/<int:pk>/mitglieder/<int:membership_pk>/verwaltung/",
        organisation_views.member_manager,
        name="organisation_member_manager",
    ),
    path("organisationen/<int:pk>/verlassen/", organisation_views.leave, name="organisation_leave"),
    path(
        "organisationen/einladung/<str:token>/",
        organisation_views.invitation,
        name="organisation_invitation",
    ),
    path("zwei-faktor/", views.second_factor, name="second_factor"),
    path("vertrauensniveau/", views.trust_level, name="trust_level"),
    path("eid/fehler/", views.eid_failed, name="eid_failed"),
    path("eid/oidc/", eid_views.oidc_start, name="eid_oidc_start"),
    path("eid/saml/", eid_views.saml_start, name="eid_saml_start"),
    path("verwaltung/", views.staff_home, name="staff_home"),
    path("verwaltung/protokoll/", staff_views.audit_log, name="audit_log"),
    path("verwaltung/protokoll/pruefen/", staff_views.audit_chain_check, name="audit_chain_check"),
]
