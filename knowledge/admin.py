from django.contrib import admin

from knowledge.models import Article, ArticleEvent, SavedReply, SavedReplyEvent, SelfServiceAnswer


class ReadOnly(admin.ModelAdmin):
    """Articles and replies change only through their services (each leaves its event)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ArticleEventInline(admin.TabularInline):
    model = ArticleEvent
    extra = 0
    fields = ("at", "kind", "actor", "note", "data")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReplyEventInline(admin.TabularInline):
    model = SavedReplyEvent
    extra = 0
    fields = ("at", "kind", "actor", "data")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnly):
    list_display = ["title", "kind", "owner_unit", "status", "is_public", "review_by", "updated_at"]
    list_filter = ["kind", "status", "is_public"]
    search_fields = ["title", "keywords"]
    inlines = [ArticleEventInline]


@admin.register(SavedReply)
class SavedReplyAdmin(ReadOnly):
    list_display = ["title", "owner_unit", "owner", "move_kind", "auto_fill", "is_active"]
    list_filter = ["is_active", "auto_fill", "move_kind"]
    inlines = [ReplyEventInline]


@admin.register(SelfServiceAnswer)
class SelfServiceAnswerAdmin(ReadOnly):
    list_display = ["at", "article", "user", "query"]
    date_hierarchy = "at"
