"""The checklist templates seeded with the app (migration 0002): fire safety, hazardous
chemicals, confined spaces and city gas. Items cite the standard or regulation they check.
Back-office users edit them in the admin afterwards; `seed` only creates missing ones.
"""

from __future__ import annotations

from typing import Any

# (code, domain code, Chinese name, English name, description, items)
# item: (Chinese text, English text, basis, a failure is a major hazard)
TEMPLATES: tuple[tuple[str, str, str, str, str, tuple[tuple[str, str, str, bool], ...]], ...] = (
    (
        "fire-general",
        "fire",
        "消防安全检查表（人员密集场所）",
        "Fire safety checklist (crowded places)",
        "《消防法》《机关、团体、企业、事业单位消防安全管理规定》",
        (
            (
                "疏散通道、安全出口畅通，未被占用、堵塞或封闭",
                "Evacuation routes and safety exits are clear: not occupied, blocked or locked",
                "《消防法》第二十八条；GB 35181-2017",
                True,
            ),
            (
                "疏散指示标志、应急照明完好有效",
                "Exit signs and emergency lighting work",
                "GB 51309-2018",
                False,
            ),
            (
                "灭火器配置数量、类型符合要求，且在有效期内",
                "Fire extinguishers of the required number and type, within their service date",
                "GB 50140-2005",
                False,
            ),
            (
                "室内消火栓箱内器材齐全，水压正常",
                "Indoor hydrant cabinets complete; water pressure normal",
                "GB 50974-2014",
                False,
            ),
            (
                "火灾自动报警系统、自动喷水灭火系统处于正常工作状态",
                "Automatic fire alarm and sprinkler systems in normal operation",
                "GB 25201-2010",
                True,
            ),
            (
                "消防控制室24小时双人值班，值班人员持证上岗",
                "Fire control room staffed around the clock by two certified operators",
                "GB 25506-2010",
                False,
            ),
            (
                "电气线路无私拉乱接，电动自行车未在室内或楼道停放、充电",
                "No improvised wiring; no e-bikes parked or charged indoors or in stairwells",
                "《高层民用建筑消防安全管理规定》第三十七条",
                False,
            ),
            (
                "常闭式防火门处于关闭状态，闭门器、顺序器完好",
                "Fire doors kept closed; door closers and coordinators working",
                "GB 50877-2014",
                False,
            ),
        ),
    ),
    (
        "hazchem-storage",
        "hazardous_chemicals",
        "危险化学品储存使用安全检查表",
        "Hazardous chemicals storage and use checklist",
        "《危险化学品安全管理条例》及相关国家标准",
        (
            (
                "危险化学品经营、使用许可证照齐全并在有效期内",
                "Licences to trade in or use hazardous chemicals present and valid",
                "《危险化学品安全管理条例》第三十三条",
                False,
            ),
            (
                "危险化学品分类、分区、分库储存，禁忌物料未混存",
                "Chemicals stored by class and area; incompatible materials kept apart",
                "GB 15603-2022",
                True,
            ),
            (
                "储存数量未超过核定（设计）储存量",
                "Quantity stored within the approved (design) capacity",
                "GB 15603-2022",
                True,
            ),
            (
                "可燃、有毒气体检测报警装置完好，并定期检定",
                "Combustible and toxic gas detectors working and calibrated on schedule",
                "GB/T 50493-2019",
                False,
            ),
            (
                "安全技术说明书（SDS）和安全标签齐全、可查",
                "Safety data sheets and labels present and at hand",
                "GB/T 16483-2008；GB 15258-2009",
                False,
            ),
            (
                "重大危险源已辨识、评估、备案，并实施在线监控",
                "Major hazard installations identified, assessed, filed and monitored online",
                "GB 18218-2018",
                True,
            ),
            (
                "动火、受限空间等特殊作业严格办理作业票",
                "Hot work and other special work done only under a permit",
                "GB 30871-2022",
                False,
            ),
            (
                "应急预案已备案并定期演练，应急物资配备齐全",
                "Emergency plan filed and drilled; emergency supplies complete",
                "《生产安全事故应急条例》",
                False,
            ),
        ),
    ),
    (
        "confined-space",
        "confined_space",
        "有限空间作业安全检查表",
        "Confined space work checklist",
        "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
        (
            (
                "有限空间已辨识并建立管理台账，设置明显安全警示标志",
                "Confined spaces identified and registered, with clear warning signs",
                "应急管理部令第13号 第八条",
                False,
            ),
            (
                "有限空间作业实行审批，未经审批不得作业",
                "Entry only with an approved work permit",
                "应急管理部令第13号 第十三条",
                True,
            ),
            (
                "严格执行“先通风、再检测、后作业”，检测结果如实记录",
                "Ventilate, then test, then enter; test results recorded",
                "应急管理部令第13号 第十六条",
                True,
            ),
            (
                "配备气体检测报警仪、通风设备、呼吸防护用品和安全带等",
                "Gas detectors, ventilation, breathing protection and harnesses provided",
                "GB/T 11651-2008",
                False,
            ),
            (
                "作业现场设专人监护，监护人员全程在岗",
                "An attendant stays outside for the whole of the work",
                "应急管理部令第13号 第十九条",
                False,
            ),
            (
                "制定专项应急预案，配备救援器材，严禁盲目施救",
                "A rescue plan and rescue equipment in place; no unprepared rescue",
                "《生产安全事故应急条例》",
                False,
            ),
        ),
    ),
    (
        "city-gas-users",
        "city_gas",
        "城镇燃气用户安全检查表（餐饮等经营场所）",
        "City gas users checklist (restaurants and other businesses)",
        "《城镇燃气管理条例》；GB 55009-2021",
        (
            (
                "用气场所安装可燃气体报警器，并与紧急切断阀联动",
                "Combustible gas alarm installed and linked to an automatic shut-off valve",
                "GB 55009-2021 第5.3节",
                True,
            ),
            (
                "燃气软管长度不超过2米，无老化、龟裂，未穿越墙体、门窗",
                "Gas hoses no longer than 2 m, not aged or cracked, not through walls or doors",
                "GB 55009-2021",
                False,
            ),
            (
                "燃气管道、阀门无锈蚀、无泄漏",
                "Gas pipes and valves free of corrosion and leaks",
                "《城镇燃气管理条例》第二十八条",
                True,
            ),
            (
                "瓶装液化石油气未在地下、半地下或高层建筑内使用",
                "No LPG cylinders used below ground, half below ground or in high-rises",
                "GB 55009-2021",
                True,
            ),
            (
                "用气场所通风良好，燃气设施未被占压、封闭",
                "Premises well ventilated; gas installations not built over or enclosed",
                "《城镇燃气管理条例》第三十三条",
                False,
            ),
            (
                "燃气具为合格产品，并在判废年限内使用",
                "Gas appliances certified and within their service life",
                "GB 17905-2008",
                False,
            ),
        ),
    ),
)


def seed(template_model: Any, item_model: Any, domain_model: Any) -> int:
    """Create the templates that do not exist yet (by code); returns how many were made.

    Takes the model classes so a migration can pass its historical models."""
    made = 0
    for code, domain_code, name_zh, name_en, description, items in TEMPLATES:
        if template_model.objects.filter(code=code).exists():
            continue
        domain = domain_model.objects.filter(code=domain_code).first()
        if domain is None:
            continue
        template = template_model.objects.create(
            code=code, domain=domain, name_zh=name_zh, name_en=name_en, description=description
        )
        item_model.objects.bulk_create(
            item_model(
                template=template,
                order=i,
                text_zh=zh,
                text_en=en,
                basis=basis,
                major_if_failed=major,
            )
            for i, (zh, en, basis, major) in enumerate(items, start=1)
        )
        made += 1
    return made
