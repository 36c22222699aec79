"""Generated findings of the content_performance report: each section's numbers said in a
sentence or two, in Chinese or English. Titles go in as plain text; `Report.finding` escapes."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.metrics.content import History
from helpers.core.wechat import follower_source_label
from helpers.render import fmt
from helpers.report.content_tables import format_label, group_label, metric_label, published, title


def note(text: str) -> str:
    """A muted explanatory paragraph (escaped HTML)."""
    return f'<p class="wx-note">{html.escape(text)}</p>'


def _zh(language: str) -> bool:
    return language == "zh"


def _quote(text: str, language: str) -> str:
    return f"《{text}》" if _zh(language) else f"“{text}”"


def _wow(value: Any, language: str) -> str:
    if value is None:
        return ""
    return f"（周环比 {fmt.relative_change(value)}）" if _zh(language) else \
        f" ({fmt.relative_change(value)} week on week)"


CARD_KEYS = ("articles_published", "readers", "read_rate", "share_rate", "new_followers",
             "unfollows")


def at_a_glance(m: dict[str, Any], wow: dict[str, Any], hist: History | None,
                language: str) -> str:
    """The week in one paragraph: articles, readers, rates, followers, best article."""
    def n(key: str) -> str:
        return fmt.number(m.get(key), language)

    def p(key: str) -> str:
        return fmt.percent(m.get(key))

    best = None
    if hist is not None and m.get("best_article_id"):
        cur = hist.current
        best = title(cur[cur["article_id"] == m["best_article_id"]].iloc[0])
    if _zh(language):
        text = (f"本周发布 {n('articles_published')} 篇文章；"
                f"阅读人数 {n('readers')}{_wow(wow.get('readers'), language)}，"
                f"本周文章阅读率 {p('read_rate')}，分享率 {p('share_rate')}。"
                f"新增关注 {n('new_followers')}，取消关注 {n('unfollows')}，净增 {n('net_followers')}。")
        if best:
            text += f"收缩后阅读率最高的文章：{_quote(best, language)}。"
        return text
    text = (f"{n('articles_published')} articles published this week; {n('readers')} readers"
            f"{_wow(wow.get('readers'), language)}, a read rate of {p('read_rate')} for this week's "
            f"articles and a share rate of {p('share_rate')}. {n('new_followers')} new followers, "
            f"{n('unfollows')} unfollows, net {n('net_followers')}.")
    if best:
        text += f" Best article by shrunk read rate: {_quote(best, language)}."
    return text


def articles(hist: History, language: str) -> str:
    """Best and weakest article of the week by shrunk read rate, against the column average."""
    ranked = hist.current.dropna(subset=["read_shrunk"])
    days = hist.compare_days
    if ranked.empty:
        return "本周没有可比较的文章（需要送达人数和首日数据）。" if _zh(language) else \
            "No article of this week can be compared yet (recipients and first-day stats needed)."
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    rate = metric_label("article_read_rate_days", language, days)
    if _zh(language):
        text = (f"按{rate}（向栏目均值收缩后）排名，本周最佳为{_quote(title(best), language)}："
                f"{fmt.percent(best['read_shrunk'])}，其栏目「{best['column_name']}」均值 "
                f"{fmt.percent(best['read_prior'])}。")
        if len(ranked) > 1:
            text += f"最弱为{_quote(title(worst), language)}：{fmt.percent(worst['read_shrunk'])}。"
        return text
    text = (f"Ranked by {rate.lower()} shrunk toward the column average, the best article this "
            f"week is {_quote(title(best), language)} at {fmt.percent(best['read_shrunk'])} "
            f"(column “{best['column_name']}” averages {fmt.percent(best['read_prior'])}).")
    if len(ranked) > 1:
        text += f" The weakest is {_quote(title(worst), language)} at {fmt.percent(worst['read_shrunk'])}."
    return text


def shrinkage_note(hist: History, language: str) -> str:
    """How the ranking shrinks, with the numbers of this report."""
    cur = hist.current.dropna(subset=["read_weight"])
    weight = fmt.percent(cur["read_weight"].min(), 0) if len(cur) else fmt.MISSING
    share_weight = fmt.percent(cur["share_weight"].min(), 0) if len(cur) else fmt.MISSING
    weeks = (hist.as_of - hist.first_day + 1) // 7
    if _zh(language):
        return (f"收缩方法（经验贝叶斯）：每个栏目用近 {weeks} 周文章的首 {hist.compare_days} 日"
                f"阅读率拟合一个 Beta(a, b) 先验（最大化 Beta-二项边际似然；少于 5 篇的栏目用全部文章），"
                f"文章的估计 =（阅读人数 + a）/（送达人数 + a + b）。"
                f"送达或阅读人数越多，估计越接近文章自身的比率："
                f"本周文章的阅读率中自身数据的权重至少为 {weight}，分享率中至少为 {share_weight}。"
                f"区间为后验 95% 区间。")
    return (f"How it shrinks (empirical Bayes): for each column, a Beta(a, b) prior is fitted to the "
            f"first-{hist.compare_days}-day read rates of its articles of the last {weeks} weeks "
            f"(maximum beta-binomial likelihood; columns with fewer than 5 articles use all "
            f"articles), and an article's estimate is (readers + a) / (recipients + a + b). The more "
            f"recipients or readers, the closer the estimate stays to the article's own rate: this "
            f"week's articles keep at least {weight} of their own read rate and {share_weight} of "
            f"their own share rate. Intervals are 95% posterior intervals.")


def cut_note(total: int, n: int, language: str) -> str:
    return (f"本周共 {total} 篇文章，下表列出排名前 {n} 与后 {n} 篇。" if _zh(language) else
            f"{total} articles this week; the table lists the top {n} and bottom {n}.")


def what_works_note(hist: History, language: str) -> str:
    """What the comparisons rest on."""
    weeks = (hist.as_of - hist.first_day + 1) // 7
    n, d = len(hist.observed), hist.compare_days
    if _zh(language):
        return (f"基于近 {weeks} 周发布、已有首 {d} 日数据的 {n} 篇文章。区间为 95% 区间，以文章为单位"
                f"（比率估计量），比单看人数更宽也更可信。按位置调整的阅读率假设各组头条与次条的比例与全账号相同，"
                f"从而比较栏目与形式时不受推送位置影响。")
    return (f"Based on the {n} articles of the last {weeks} weeks whose first {d} day"
            f"{'s' if d > 1 else ''} are observed. Intervals are 95% intervals with articles as the "
            f"units (ratio estimator), wider and more honest than counting readers. The "
            f"position-adjusted read rate gives every group the account's mix of headline and "
            f"secondary slots, so that columns and formats are compared regardless of push position.")


def unfollow_note(ratio: float, language: str) -> str:
    """How unusual unfollows after a push are found."""
    if _zh(language):
        return (f"推送后 48 小时 = 推送当天与次日（粉丝数据按天统计）。通常取关 = 按当天与前一天推送的文章数"
                f"估计的每日取关（用近 8 周数据拟合，排除异常日）。某天取关达到通常的 {ratio:g} 倍、且按泊松分布"
                f"不太可能是随机波动（p < 0.01）即为异常日；连续异常日记在其第一天或前一天最近的一次推送上。")
    return (f"48 hours after a push = the push day and the next (the followers table is daily). Usual "
            f"= the daily unfollows expected from the articles pushed that day and the day before "
            f"(fitted on the last 8 weeks, spike days left out). A day is unusual at {ratio:g} times "
            f"usual or more when that many are unlikely as Poisson noise (p < 0.01); a run of unusual "
            f"days is credited to the latest push on its first day or the day before.")


def buying_note(window_hours: int, k: int, language: str) -> str:
    """What last-touch credit counts and leaves out."""
    if _zh(language):
        return (f"只统计从文章打开小程序（read_article 事件）的读者，不含在文章内或其他渠道的购买。"
                f"周末的阅读距数据截止可能不足 {window_hours} 小时，其订单可能尚未全部发生。"
                f"少于 {k} 位下单用户的单元格已隐藏。")
    return (f"Only readers who opened the mini-program from an article (read_article events) "
            f"count; purchases through other routes do not. Reads late in the week may not have had "
            f"{window_hours} hours of data yet. Cells with fewer than {k} buyers are hidden.")


def _leader(frame: pd.DataFrame, dim: str, col: str) -> tuple[Any, pd.Series, pd.Series | None]:
    """The group with the highest `col`, its row and the runner-up row."""
    ranked = frame.dropna(subset=[col]).sort_values(col, ascending=False)
    if ranked.empty:
        return None, pd.Series(dtype=float), None
    return ranked.iloc[0][dim], ranked.iloc[0], ranked.iloc[1] if len(ranked) > 1 else None


def _sure(top: pd.Series, second: pd.Series | None, col: str, language: str) -> str:
    """Whether the leader's interval clears the runner-up's."""
    lo, hi = {"share_rate": ("share_lo", "share_hi"), "read_adjusted": ("adjusted_lo", "adjusted_hi"),
              "read_rate": ("read_lo", "read_hi")}[col]
    if second is None or pd.isna(top[lo]) or pd.isna(second[hi]):
        return ""
    if top[lo] > second[hi]:
        return "，区间不与其他组重叠" if _zh(language) else ", clear of the others' intervals"
    return "，但区间与第二名重叠，差异尚不确定" if _zh(language) else \
        ", though its interval overlaps the runner-up's: not yet a sure difference"


def what_works(by_column: pd.DataFrame, by_format: pd.DataFrame, slots: pd.DataFrame,
               language: str) -> str:
    """The column with the highest share rate and read rate, formats, headline vs secondary."""
    parts = []
    col, top, second = _leader(by_column, "column_name", "share_rate")
    if col is not None:
        others = by_column[by_column["column_name"] != col]
        rest = others["sharers"].sum() / others["readers"].sum() if len(others) else np.nan
        times = top["share_rate"] / rest if rest > 0 else np.nan
        sure = _sure(top, second, "share_rate", language)
        if np.isfinite(times):
            sure = (f"，为其他栏目的 {times:.1f} 倍" if _zh(language) else
                    f", {times:.1f} times the other columns") + sure
        parts.append(f"分享率最高的栏目是「{col}」：{fmt.percent(top['share_rate'])}{sure}"
                     if _zh(language) else
                     f"the column with the highest share rate is “{col}”: "
                     f"{fmt.percent(top['share_rate'])}{sure}")
    col, top, second = _leader(by_column, "column_name", "read_adjusted")
    if col is not None:
        sure = _sure(top, second, "read_adjusted", language)
        parts.append(f"按位置调整后阅读率最高的栏目是「{col}」：{fmt.percent(top['read_adjusted'])}{sure}"
                     if _zh(language) else
                     f"the highest position-adjusted read rate is “{col}” at "
                     f"{fmt.percent(top['read_adjusted'])}{sure}")
    form, top, second = _leader(by_format, "format", "read_adjusted")
    if form is not None and len(by_format) > 1:
        sure = _sure(top, second, "read_adjusted", language)
        parts.append(f"形式中「{format_label(form, language)}」阅读率最高"
                     f"（{fmt.percent(top['read_adjusted'])}{sure}）"
                     if _zh(language) else
                     f"among formats, {format_label(form, language).lower()} reads best "
                     f"({fmt.percent(top['read_adjusted'])}{sure})")
    rates = slots.set_index("slot")["read_rate"]
    if {"headline", "secondary"} <= set(rates.index) and rates["secondary"] > 0:
        h, s = rates["headline"], rates["secondary"]
        parts.append(f"头条阅读率 {fmt.percent(h)}，次条及以后 {fmt.percent(s)}（头条为 {h / s:.1f} 倍）"
                     if _zh(language) else
                     f"headlines are read at {fmt.percent(h)}, secondary articles at "
                     f"{fmt.percent(s)} ({h / s:.1f} times)")
    if not parts:
        return "可比较的文章太少。" if _zh(language) else "Too few articles to compare."
    if _zh(language):
        return "；".join(parts) + "。"
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def timing(by_hour: pd.DataFrame, frequency: pd.DataFrame, gaps: pd.DataFrame,
           band: Sequence[int], language: str) -> str:
    """Best publish hour, pushes this week against the band, and the gap effect."""
    parts = []
    hour, top, second = _leader(by_hour, "hour", "read_adjusted")
    if hour is not None and len(by_hour) > 1 and (by_hour["hour"] != hour).any():
        others = by_hour[(by_hour["hour"] != hour) & by_hour["read_adjusted"].notna()]
        rest = np.average(others["read_adjusted"], weights=others["articles"]) if len(others) \
            else np.nan
        lift = top["read_adjusted"] / rest - 1
        sure = _sure(top, second, "read_adjusted", language)
        parts.append(
            f"按位置调整后，{group_label('hour', hour, language)} 发布的阅读率最高"
            f"（{fmt.percent(top['read_adjusted'])}，"
            f"比其他时段高 {fmt.percent(lift, 0)}{sure}）" if _zh(language) else
            f"adjusted for position, articles published at {group_label('hour', hour, language)} "
            f"read best ({fmt.percent(top['read_adjusted'])}, {fmt.percent(lift, 0)} above the "
            f"other hours{sure})")
    if len(frequency):
        this = int(frequency["pushes"].iat[-1])
        inside = int(frequency["in_band"].sum())
        where = ("在" if band[0] <= this <= band[1] else "低于" if this < band[0] else "高于")
        where_en = ("inside" if band[0] <= this <= band[1] else "below" if this < band[0] else "above")
        parts.append(
            f"本周推送 {this} 次，{where}目标区间 {band[0]}–{band[1]} 次；近 {len(frequency)} 周中有 "
            f"{inside} 周在区间内" if _zh(language) else
            f"{this} pushes this week, {where_en} the target band of {band[0]}–{band[1]}; "
            f"{inside} of the last {len(frequency)} weeks were inside it")
    g = gaps.set_index("gap")
    if "1" in g.index and len(g) > 1:
        longer = g.drop(index="1")
        rest = longer["read_rate"].mul(longer["pushes"]).sum() / longer["pushes"].sum()
        parts.append(
            f"隔天连续推送的头条阅读率 {fmt.percent(g.at['1', 'read_rate'])}，"
            f"间隔 2 天及以上为 {fmt.percent(rest)}"
            if _zh(language) else
            f"headlines pushed the day after the previous push are read at "
            f"{fmt.percent(g.at['1', 'read_rate'])}, after a longer pause at {fmt.percent(rest)}")
    if not parts:
        return "发布记录太少。" if _zh(language) else "Too few pushes to judge timing."
    if _zh(language):
        return "；".join(parts) + "。"
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def followers(m: dict[str, Any], sources: pd.DataFrame | None, pushes: pd.DataFrame | None,
              language: str) -> str:
    """The week's follower flow, the top source and pushes with unusual unfollows."""
    def n(key: str) -> str:
        return fmt.number(m.get(key), language)

    if _zh(language):
        text = f"本周新增关注 {n('new_followers')}，取消关注 {n('unfollows')}，净增 {n('net_followers')}。"
    else:
        text = (f"This week: {n('new_followers')} new followers, {n('unfollows')} unfollows, "
                f"net {n('net_followers')}.")
    if sources is not None and len(sources) and sources["new_followers"].sum() > 0:
        top = sources.iloc[0]
        label = follower_source_label(top["source"], language)
        text += (f"新增最多的来源：{label}（{fmt.percent(top['new_share'])}）。" if _zh(language) else
                 f" Most new followers came from {label} ({fmt.percent(top['new_share'])}).")
    if pushes is not None and len(pushes):
        flagged = pushes[pushes["flagged"]]
        if flagged.empty:
            text += ("本周各次推送后 48 小时内的取关均在通常范围内。" if _zh(language) else
                     " Unfollows after every push of the week stayed within the usual range.")
        for _, row in flagged.iterrows():
            when = published(row, language)
            text += (f"取关异常：{when} 推送的{_quote(title(row), language)}之后 48 小时内取关 "
                     f"{fmt.number(row['unfollows_48h'], language)} 人，是通常水平的 {row['ratio']:.1f} 倍。"
                     if _zh(language) else
                     f" Unusual unfollows: {fmt.number(row['unfollows_48h'], language)} within 48 "
                     f"hours of the push on {when} ({_quote(title(row), language)}), "
                     f"{row['ratio']:.1f} times the usual.")
    return text


def buying(frame: pd.DataFrame, period_gmv: float, window_hours: int, language: str) -> str:
    """Orders and GMV credited to the week's reads (last touch), and the top article."""
    orders, gmv = frame["orders"].sum(), frame["gmv"].sum()
    share = gmv / period_gmv if period_gmv > 0 else None
    openers = frame["openers"].sum()
    if _zh(language):
        text = (f"按末次触达归因（从文章打开小程序后 {window_hours} 小时内的支付订单"
                f"记给最近一次阅读的文章），本周 {fmt.number(openers, language)} 人次从文章打开小程序，"
                f"带来订单 {fmt.number(orders, language)} 笔、"
                f"成交额 {fmt.money(gmv, language)}，占本周成交额的 {fmt.percent(share)}。")
    else:
        text = (f"Credited by last touch (paid orders within {window_hours} hours after opening the "
                f"mini-program from an article go to the latest article read), this week's "
                f"{fmt.number(openers, language)} article openers brought {fmt.number(orders, language)} "
                f"orders and {fmt.money(gmv, language)} GMV, {fmt.percent(share)} of the week's GMV.")
    if len(frame) and frame["gmv"].iat[0] > 0:
        top = frame.iloc[0]
        text += (f"带来成交额最多的是{_quote(title(top), language)}。" if _zh(language) else
                 f" The top article by GMV: {_quote(title(top), language)}.")
    return text


def pages(frame: pd.DataFrame, language: str) -> str:
    """The most viewed page and pages whose exit rate jumped week on week."""
    if frame.empty:
        return "本周没有页面浏览记录。" if _zh(language) else "No page views this week."
    top = frame.iloc[0]
    jumped = frame[frame["exit_jump"]]
    views = fmt.number(top["page_views"], language)
    if _zh(language):
        text = f"浏览最多的页面是 {top['page']}（{views} 次，退出率 {fmt.percent(top['exit_rate'])}）。"
        if jumped.empty:
            return text + "没有页面的退出率比上周明显上升。"
        items = "、".join(f"{r['page']}（{fmt.points(r['exit_change'], language)}）"
                         for _, r in jumped.iterrows())
        return text + f"退出率比上周明显上升的页面：{items}。"
    text = (f"The most viewed page is {top['page']} ({views} views, exit rate "
            f"{fmt.percent(top['exit_rate'])}).")
    if jumped.empty:
        return text + " No page's exit rate rose markedly against last week."
    items = ", ".join(f"{r['page']} ({fmt.points(r['exit_change'], language)})"
                      for _, r in jumped.iterrows())
    return text + f" Exit rate jumped week on week on: {items}."


def outliers(frame: pd.DataFrame | None, compare_days: int, language: str) -> str:
    """This week's articles far above or below their expected readers."""
    if frame is None:
        return "文章太少，无法估计预期阅读人数。" if _zh(language) else \
            "Too few articles to estimate expected readers."
    flagged = frame[frame["in_period"] & frame["flagged"]]
    if flagged.empty:
        return (f"本周文章的首 {compare_days} 日阅读人数都在预期范围内。" if _zh(language) else
                f"Every article of this week read within the expected range in its first "
                f"{compare_days} day{'s' if compare_days > 1 else ''}.")
    items = []
    for _, r in flagged.iterrows():
        direction = ("高于" if r["z"] > 0 else "低于") if _zh(language) else \
            ("above" if r["z"] > 0 else "below")
        items.append(
            f"{_quote(title(r), language)}{direction}预期：{fmt.number(r['readers_c'], language)} 人，"
            f"预期 {fmt.number(r['expected_readers'], language)} 人（{r['vs_expected']:.2f} 倍）"
            if _zh(language) else
            f"{_quote(title(r), language)} read {direction} expectation: "
            f"{fmt.number(r['readers_c'], language)} readers against "
            f"{fmt.number(r['expected_readers'], language)} expected ({r['vs_expected']:.2f}x)")
    return ("；".join(items) + "。") if _zh(language) else ("; ".join(items) + ".")
