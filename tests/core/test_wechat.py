"""WeChat vocabularies: scene codes to access sources, follower source codes and names."""

from __future__ import annotations

from helpers.core.wechat import ACCESS_SOURCES, access_source, follower_source_label


def test_scene_codes_map_to_access_sources():
    assert access_source(1089).zh == "任务栏-最近使用"
    assert access_source(1121).en == "WeCom"  # inside the range 1119-1123
    assert access_source(1058).key == 18 and access_source(1091).key == 18
    assert access_source(9999).zh == "其他" and access_source(None).key == 10
    assert len(ACCESS_SOURCES) == 57


def test_follower_sources_by_code_or_name():
    assert follower_source_label("30", "zh") == "扫描二维码"
    assert follower_source_label(0, "en") == "Other sources combined"
    assert follower_source_label("扫描二维码", "en") == "Scanned QR code"
    assert follower_source_label("999", "en") == "source 999"  # unknown codes must not crash
    assert follower_source_label("新来源", "en") == "新来源"
