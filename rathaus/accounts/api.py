"""Accounts API: the caller's own profile and the organisations they act for."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers

from rathaus.core.permissions import RulesObjectPermission

from .models import PROFILE_FIELDS, Organisation, User
from .selectors import organisations_of
from .trust import current_trust_level


class ProfileSerializer(serializers.ModelSerializer):
    trust_level = serializers.SerializerMethodField(help_text=_("trust level of the current login"))

    class Meta:
        model = User
        fields = ["id", "email", *PROFILE_FIELDS, "trust_level"]
        read_only_fields = fields

    def get_trust_level(self, obj) -> str | None:
        request = self.context.get("request")
        return current_trust_level(request) if request is not None and request.user.pk == obj.pk else None


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "register_number", "street", "postal_code", "city", "email"]
        read_only_fields = fields


@extend_schema(tags=["accounts"])
class MeView(generics.RetrieveAPIView):
    """The profile of the logged-in person."""

    serializer_class = ProfileSerializer
    permission_classes = [permissions.IsAuthenticated, RulesObjectPermission]
    object_permission = "accounts.view_person"

    def get_object(self):
        person = self.request.user
        self.check_object_permissions(self.request, person)
        return person


@extend_schema(tags=["accounts"])
class OrganisationListView(generics.ListAPIView):
    """The organisations the logged-in person acts for."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return organisations_of(self.request.user)


@extend_schema(tags=["accounts"])
class OrganisationDetailView(generics.RetrieveAPIView):
    """One organisation; only for its members (others get 404, as if it did not exist)."""

    serializer_class = OrganisationSerializer
    permission_classes = [permissions.IsAuthenticated, RulesObjectPermission]
    object_permission = "accounts.view_organisation"
    queryset = Organisation.objects.all()

    def permission_denied(self, request, message=None, code=None):
        from django.http import Http404

        if request.user.is_authenticated:
            raise Http404
        super().permission_denied(request, message, code)
