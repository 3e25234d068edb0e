from ledgers.importers import PersonImporter
from ledgers.management.base import ImportCommand


class Command(ImportCommand):
    help = (
        "从 Excel 台账导入人员。列：姓名、手机号（必填，以1开头的11位）、身份证号（18位，GB 11643 校验位）、"
        "所在区域、所在单位、职务、党员(是/否)，以及可选的联系企业（统一社会信用代码，多个用顿号分隔）和"
        "联系类型(挂钩干部/驻厂专员/党建指导员/企业联络员/法定代表人)，用于建立人员-企业联系。"
        "已有人员（按身份证号，或姓名+手机号识别）会被更新，不会重复创建。"
        "有任何错误行时不导入任何数据（除非 --skip-bad-rows）。"
        " / Import people from an Excel ledger; the optional 联系企业 + 联系类型 columns create "
        "person-enterprise links. A person already known by ID number (or by name and mobile) is "
        "updated, not duplicated. Any bad row imports nothing unless --skip-bad-rows."
    )
    importer_class = PersonImporter
