"""Public, read-only API of the strategy: exactly what the transparency page shows.

The mission, the areas with their guidelines and fields of action (progress computed from the
public measures), the measures marked public with their status and their project's traffic
light, and the key figures marked public with their targets and values. No person, no cost,
no internal reason: the same limits as the page (``selectors.progress.public_overview``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Guideline, Kpi, KpiTarget, KpiValue, Measure
from .selectors.progress import (
    area_progress,
    current_strategy,
    overall_progress,
    public_kpis,
    public_measures,
)

__all__ = ["PublicKpiListView", "PublicMeasureListView", "PublicOverviewView"]


class ProgressSerializer(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    measures = serializers.IntegerField(help_text="public measures counted (dropped ones do not count)")


class FieldOfActionSerializer(serializers.Serializer):
    code = serializers.CharField(source="field.code")
    title = serializers.CharField(source="field.title")
    title_en = serializers.CharField(source="field.title_en")
    progress = ProgressSerializer()


class GuidelineSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    title_en = serializers.CharField()
    motto = serializers.CharField()
    text = serializers.CharField()


class AreaSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="area.number")
    name = serializers.CharField(source="area.name")
    name_en = serializers.CharField(source="area.name_en")
    progress = ProgressSerializer()
    guidelines = GuidelineSerializer(many=True)
    fields_of_action = FieldOfActionSerializer(source="fields", many=True)


class OverviewSerializer(serializers.Serializer):
    title = serializers.CharField()
    mission_statement = serializers.CharField()
    council_reference = serializers.CharField()
    adopted_on = serializers.DateField(allow_null=True)
    progress = ProgressSerializer()
    areas = AreaSerializer(many=True)


class ProjectStatusSerializer(serializers.Serializer):
    traffic_light = serializers.CharField()
    traffic_light_label = serializers.CharField(source="get_traffic_light_display")
    progress_percent = serializers.IntegerField()


class PublicMeasureSerializer(serializers.ModelSerializer):
    field_of_action = serializers.CharField(source="field_of_action.code")
    area = serializers.IntegerField(source="field_of_action.area.number")
    department = serializers.CharField(source="department.code")
    status_label = serializers.CharField(source="get_status_display")
    guidelines = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "code",
            "title",
            "title_en",
            "description",
            "expected_benefit",
            "area",
            "field_of_action",
            "department",
            "guidelines",
            "status",
            "status_label",
            "planned_start",
            "planned_end",
            "project",
        ]

    def get_guidelines(self, obj) -> list[int]:
        return sorted(g.number for g in obj.guidelines.all())

    @extend_schema_field(ProjectStatusSerializer(allow_null=True))
    def get_project(self, obj) -> dict | None:
        try:
            project = obj.project
        except Measure.project.RelatedObjectDoesNotExist:
            return None
        return ProjectStatusSerializer(project).data


class KpiTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiTarget
        fields = ["year", "value"]


class KpiValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiValue
        fields = ["period_start", "period_end", "value"]


class PublicKpiSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="get_unit_display")
    direction_label = serializers.CharField(source="get_direction_display")
    targets = KpiTargetSerializer(many=True)
    values = KpiValueSerializer(many=True)

    class Meta:
        model = Kpi
        fields = [
            "key",
            "name",
            "name_en",
            "description",
            "unit",
            "unit_label",
            "direction",
            "direction_label",
            "source",
            "baseline_value",
            "baseline_year",
            "targets",
            "values",
        ]


@extend_schema(tags=["strategy"], responses=OverviewSerializer)
class PublicOverviewView(APIView):
    """The mission, the areas with their guidelines, and the progress of the fields of action
    (computed from the public measures only)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get(self, request):
        strategy = current_strategy()
        guidelines: dict[int, list] = {}
        for guideline in Guideline.objects.order_by("number"):
            guidelines.setdefault(guideline.area_id, []).append(guideline)
        areas = [
            {
                "area": a.area,
                "progress": a.progress,
                "fields": a.fields,
                "guidelines": guidelines.get(a.area.pk, []),
            }
            for a in area_progress(public_only=True)
        ]
        payload = {
            "title": strategy.title,
            "mission_statement": strategy.mission_statement,
            "council_reference": strategy.council_reference,
            "adopted_on": strategy.adopted_on,
            "progress": overall_progress(public_only=True),
            "areas": areas,
        }
        return Response(OverviewSerializer(payload).data)


@extend_schema(tags=["strategy"])
class PublicMeasureListView(generics.ListAPIView):
    """The measures the strategy office marked public, with status and project traffic light."""

    serializer_class = PublicMeasureSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    pagination_class = None

    def get_queryset(self):
        return public_measures().prefetch_related("guidelines")


@extend_schema(tags=["strategy"])
class PublicKpiListView(generics.ListAPIView):
    """The key figures marked public, with baseline, targets per year and measured values."""

    serializer_class = PublicKpiSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    pagination_class = None

    def get_queryset(self):
        return public_kpis().prefetch_related("values")
