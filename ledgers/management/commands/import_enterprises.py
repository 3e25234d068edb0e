from ledgers.importers import EnterpriseImporter
from ledgers.management.base import ImportCommand


class Command(ImportCommand):
    help = (
        "从 Excel 台账导入企业。列：企业名称、统一社会信用代码（必填）、行业、规模(大型/中型/小型/微型)、所在园区、"
        "产业链环节(上游/中游/下游/配套服务)、所在区域(区划代码或名称)、从业人数、所属产业链党委、联系电话。"
        "统一社会信用代码已在系统中的企业会被更新资料（空白单元格不覆盖原值），而不是报错或重复创建。"
        "有任何错误行时不导入任何数据（除非 --skip-bad-rows），整个导入在一个事务中完成。"
        " / Import enterprises from an Excel ledger with the Chinese headers above. A credit code that "
        "already exists updates that enterprise's profile (blank cells keep the stored value) instead of "
        "failing. Any bad row imports nothing unless --skip-bad-rows; the import is one transaction."
    )
    importer_class = EnterpriseImporter
