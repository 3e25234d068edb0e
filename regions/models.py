"""The region tree (county → town → village → piece → group → neighbourhood) and grid stations."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.pinyin import pinyin_key

# Each level of the path is a fixed-width segment, so a subtree is a contiguous range of paths
# and "everything under X" is one range scan on an ordinary B-tree index, on every database.
PATH_SEGMENT_WIDTH = 4
PATH_SEPARATOR = "."
# The character that sorts right after the separator closes the range of a subtree.
_PATH_RANGE_END = chr(ord(PATH_SEPARATOR) + 1)


class RegionLevel(models.IntegerChoices):
    COUNTY = 1, _("县")
    TOWN = 2, _("镇/街道")
    VILLAGE = 3, _("村/社区")
    PIECE = 4, _("片")
    GROUP = 5, _("组")
    NEIGHBOURHOOD = 6, _("邻")


class RegionQuerySet(models.QuerySet["Region"]):
    def subtree(self, region: "Region") -> "RegionQuerySet":
        """The region and all below it, as one indexed range query."""
        return self.filter(path__gte=region.path, path__lt=region.path_range_end)

    def bulk_create(self, objs: Iterable["Region"], *args: Any, **kwargs: Any) -> list["Region"]:
        """As Django's, with each region's pinyin key filled in as ``save()`` does."""
        objs = list(objs)
        for region in objs:
            region.pinyin = pinyin_key(region.name)
        return super().bulk_create(objs, *args, **kwargs)


class Region(models.Model):
    """A node of the administrative and grid tree; its grid is everything under it."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("区划代码"), max_length=32, unique=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    is_grid = models.BooleanField(
        _("是网格"), default=False, help_text=_("网格员负责的最小管理单元")
    )
    # The name's pinyin initials and full pinyin (regions/pinyin.py), kept by save(): the desk
    # finds 浔中镇 by "xzz" (regions/search.py).
    pinyin = models.TextField(_("拼音"), blank=True, default="", editable=False)
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    households_count = models.PositiveIntegerField(_("户数"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.path:
            self.path = self._next_path()
        self.pinyin = pinyin_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pinyin"}
        super().save(*args, **kwargs)

    @property
    def path_range_end(self) -> str:
        return self.path[:-1] + _PATH_RANGE_END

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR)

    def clean(self) -> None:
        if self.parent and self.level <= self.parent.level:
            raise ValidationError({"level": _("下级区域的层级必须低于上级区域。")})
        if not self.parent and self.level != RegionLevel.COUNTY:
            raise ValidationError({"parent": _("只有县级区域可以没有上级。")})

    def _next_path(self) -> str:
        siblings = (
            Region.objects.filter(parent=self.parent)
            if self.parent
            else Region.objects.filter(parent__isnull=True)
        )
        last = siblings.order_by("-path").values_list("path", flat=True).first()
        number = int(last.rstrip(PATH_SEPARATOR).rsplit(PATH_SEPARATOR, 1)[-1]) + 1 if last else 1
        if number >= 10**PATH_SEGMENT_WIDTH:
            raise ValidationError(_("同一上级下的区域过多。"))
        prefix = self.parent.path if self.parent else ""
        return f"{prefix}{number:0{PATH_SEGMENT_WIDTH}d}{PATH_SEPARATOR}"

    def ancestors(self) -> models.QuerySet["Region"]:
        """The chain from the county down to this region, in one query."""
        segment = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)
        paths = [self.path[: i + segment] for i in range(0, len(self.path), segment)]
        return Region.objects.filter(path__in=paths).order_by("path")


class GridStation(models.Model):
    """A grid station (网格驿站): a service point for collecting demands and mediating."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="stations"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("网格驿站")
        verbose_name_plural = _("网格驿站")

    def __str__(self) -> str:
        return self.name
