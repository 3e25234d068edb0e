from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_event_kinds_issue15")]

    operations = [
        migrations.AlterField(
            model_name="notificationrule",
            name="recipient",
            field=models.CharField(
                choices=[
                    ("lead_handlers", "主办单位承办人"),
                    ("lead_heads", "主办单位部门负责人"),
                    ("dispatchers", "负责该事项的研判交办员"),
                    ("requester", "诉求人"),
                    ("reporter", "上报人"),
                    ("co_unit_handlers", "协办单位承办人"),
                    ("leaders", "分管领导"),
                    ("escalation_target", "逐级督办对象"),
                ],
                max_length=32,
                verbose_name="接收人",
            ),
        ),
    ]
