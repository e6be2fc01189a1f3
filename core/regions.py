"""PRC provinces (GB/T 2260 codes) as used on orders and in SF coverage configuration."""

from .i18n import is_chinese

PROVINCES: dict[str, tuple[str, str]] = {
    "110000": ("北京", "Beijing"),
    "120000": ("天津", "Tianjin"),
    "130000": ("河北", "Hebei"),
    "140000": ("山西", "Shanxi"),
    "150000": ("内蒙古", "Inner Mongolia"),
    "210000": ("辽宁", "Liaoning"),
    "220000": ("吉林", "Jilin"),
    "230000": ("黑龙江", "Heilongjiang"),
    "310000": ("上海", "Shanghai"),
    "320000": ("江苏", "Jiangsu"),
    "330000": ("浙江", "Zhejiang"),
    "340000": ("安徽", "Anhui"),
    "350000": ("福建", "Fujian"),
    "360000": ("江西", "Jiangxi"),
    "370000": ("山东", "Shandong"),
    "410000": ("河南", "Henan"),
    "420000": ("湖北", "Hubei"),
    "430000": ("湖南", "Hunan"),
    "440000": ("广东", "Guangdong"),
    "450000": ("广西", "Guangxi"),
    "460000": ("海南", "Hainan"),
    "500000": ("重庆", "Chongqing"),
    "510000": ("四川", "Sichuan"),
    "520000": ("贵州", "Guizhou"),
    "530000": ("云南", "Yunnan"),
    "540000": ("西藏", "Tibet"),
    "610000": ("陕西", "Shaanxi"),
    "620000": ("甘肃", "Gansu"),
    "630000": ("青海", "Qinghai"),
    "640000": ("宁夏", "Ningxia"),
    "650000": ("新疆", "Xinjiang"),
}

PROVINCE_CODES = list(PROVINCES)

# Free shipping does not cover these (SPEC §3.1: 新疆 西藏 内蒙古 甘肃 青海 宁夏).
REMOTE_PROVINCES = frozenset({"650000", "540000", "150000", "620000", "630000", "640000"})


def is_province(code: str) -> bool:
    return code in PROVINCES


def province_name(code: str) -> str:
    """The province's name in the active language (zh-hans or en); an unknown code as it is."""
    names = PROVINCES.get(code)
    if names is None:
        return code
    return names[0] if is_chinese() else names[1]
