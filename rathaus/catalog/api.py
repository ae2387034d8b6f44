"""Public, read-only API of the service catalogue."""

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers

from . import selectors
from .fees import compute_fee
from .models import LifeSituation, Service


class LifeSituationSerializer(serializers.ModelSerializer):
    class Meta:
        model = LifeSituation
        fields = ["slug", "name", "name_en"]


class ServiceSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    life_situations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    fee = serializers.SerializerMethodField()
    ozg_maturity_label = serializers.CharField(source="get_ozg_maturity_display")

    class Meta:
        model = Service
        fields = [
            "slug",
            "leika_key",
            "name",
            "name_en",
            "summary",
            "summary_en",
            "department",
            "legal_basis",
            "required_documents",
            "fee_kind",
            "fee",
            "processing_days",
            "channels",
            "min_trust_level",
            "allows_anonymous",
            "life_situations",
            "ozg_maturity",
            "ozg_maturity_label",
        ]

    def get_fee(self, obj) -> str | None:
        fee = compute_fee(obj, {})
        return str(fee) if fee is not None else None

    def to_representation(self, obj: Service) -> dict:
        # The catalogue search is the busiest read of the API (issue 3 benchmark). Building the
        # fields of a ModelSerializer for every request took two thirds of its time; this writes
        # the same dictionary directly (the declared fields above still make the schema, and a
        # test compares both for every demo service). A search answers with the index's shared
        # service objects, which live as long as the catalogue does not change: each keeps its
        # representation per language.
        language = get_language()
        kept = obj.__dict__.setdefault("_api_representations", {})
        representation = kept.get(language)
        if representation is None:
            representation = kept[language] = self._representation(obj)
        return dict(representation)

    def _representation(self, obj: Service) -> dict:
        return {
            "slug": obj.slug,
            "leika_key": obj.leika_key,
            "name": obj.name,
            "name_en": obj.name_en,
            "summary": obj.summary,
            "summary_en": obj.summary_en,
            "department": obj.department.code,
            "legal_basis": obj.legal_basis,
            "required_documents": obj.required_documents,
            "fee_kind": obj.fee_kind,
            "fee": self.get_fee(obj),
            "processing_days": obj.processing_days,
            "channels": obj.channels,
            "min_trust_level": obj.min_trust_level,
            "allows_anonymous": obj.allows_anonymous,
            "life_situations": [situation.slug for situation in obj.life_situations.all()],
            "ozg_maturity": obj.ozg_maturity,
            "ozg_maturity_label": str(obj.get_ozg_maturity_display()),
        }


@extend_schema(tags=["catalog"], parameters=[OpenApiParameter("q", str, description="search words")])
class ServiceListView(generics.ListAPIView):
    """Published services; with ``q``, ranked by the tolerant catalogue search."""

    serializer_class = ServiceSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get_queryset(self):
        query = self.request.query_params.get("q", "").strip()[:200]
        if query:
            return selectors.services_matching(query)
        return selectors.public_services().prefetch_related("life_situations").order_by("name")


@extend_schema(tags=["catalog"])
class ServiceDetailView(generics.RetrieveAPIView):
    serializer_class = ServiceSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.public_services().prefetch_related("life_situations")


@extend_schema(tags=["catalog"])
class LifeSituationListView(generics.ListAPIView):
    serializer_class = LifeSituationSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    queryset = LifeSituation.objects.all()
