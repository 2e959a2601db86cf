#!/usr/bin/env python3
"""Writes assets/rime/minsheng_school.dict.yaml: the words of school life and of a parent's
complaint, built by category so that a compound is in the vocabulary because its parts are,
not because someone once typed it: subjects and kinds of class × 班 课 老师 费; fees, loans
and amounts of work (…费 …贷 …量); tutoring arrangements; school roles; grades and stages;
clock times, days and holidays; numbers × units of money and time; the words of reporting;
a parent's verbs with their objects; the papers and groups of school life (…单 …本 …卷 …群);
a teacher's conduct and a child's health; exercises (…题); when and where tutoring happens;
who reports what; paying early; fire and food safety; addresses (几单元); a teacher's papers
(教师资格证); what was paid or joined (交的, 报的).

Weights: a compound at COMPOUND_WEIGHT (above its everyday homophones, whose essay weights are
in the thousands: 资料费 over 资料非, 托管班 over 托管办); a bare stem at STEM_WEIGHT, enough
to keep it whole before a suffix without pushing out a more common word of the same sound;
the mechanical grids (clock times, numbers × units, verbs × objects) at GRID_WEIGHT, still far
above everyday homophones but below the policy terms and the words above, so that a
four-character grid entry (好几百块) does not take the initials of a term (寒假补课).
No entry goes above an everyday essay word (weight COMMON_ESSAY_WEIGHT or more) with the same
code: 座位 stays below 作为, 十节 below 世界 (the hand-written vocabulary decides the few a
parent means instead, such as 课时 before 可是).
Less common compounds (实践作业) at RARE_WEIGHT, below common ones with the same initials.
Function words (可是 但是 …) are left to the essay, whose weights are right for them.
Codes come from scripts/rime_readings.py (luna_pinyin's words and readings, simplified).

Lines of the held-out split of tests/kiosk/core/data/pinyin_corpus.txt are left out (the
program says how many, not which): that split measures how well this vocabulary generalises.

Usage: scripts/gen-rime-school-vocabulary.py > assets/rime/minsheng_school.dict.yaml
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rime_readings  # noqa: E402

COMPOUND_WEIGHT = 100000
STEM_WEIGHT = 60000
GRID_WEIGHT = 40000
RARE_WEIGHT = 70000
COMMON_ESSAY_WEIGHT = 15000  # an essay word this frequent is an everyday word
CORPUS = os.path.join(os.path.dirname(__file__), "..", "tests", "kiosk", "core", "data",
                      "pinyin_corpus.txt")


def words(text):
    return text.split()


SUBJECTS = words("""语文 数学 英语 物理 化学 生物 地理 历史 政治 科学 体育 音乐 美术 舞蹈 钢琴
书法 编程 奥数 作文 阅读 口才 写作 口语 听力 拼音 识字 练字 围棋 象棋 绘画 素描 声乐 吉他 古筝
小提琴 架子鼓 跆拳道 游泳 篮球 足球 羽毛球 乒乓球 武术 国学 演讲 机器人 科创 乐高 街舞 拉丁舞
主持 主持人 播音主持 芭蕾 陶艺 尤克里里 民族舞 中国舞 爵士舞 二胡 琵琶 笛子 萨克斯 长笛 葫芦丝
外教 英语外教 外语 日语 韩语 法语 德语 俄语 西班牙语 数学思维 物理实验 化学实验 思维 逻辑 珠心算 心算 速算 记忆力 专注力 轮滑 击剑 魔方 文综 理综 数理化 奥赛 英语口语
新概念 自然拼读 绘本 写字 硬笔 毛笔 画画 手工 朗诵 播音 表演 戏剧 摄影 围棋 艺术 体能 田径""")
KINDS = words("""补习 辅导 培优 提高 尖子 重点 冲刺 暑假 寒假 寒暑假 周末 晚托 午托 托管 衔接
集训 竞赛 精英 实验 直播 录播 试听 体验 公开 线上 线下 网络 假期 夜间 早读 特长 强化 预习 复习
培训 补课 提分 基础 专题 面授 兴趣 火箭 平行 特训 早教 学前 同步 拔高 小班 大班 一对一 一对多
小组 精品 考前 中考 高考 小升初 初升高 幼小衔接 毕业 春季 秋季 全托 日托 课外 校外 在线 私教
家教 补差 晚辅 暑期 寒期 长期 短期 速成 刷题 押题 考级 艺考 网课 夏令营 冬令营 周中 晚间""")
CLASS_SUFFIXES = ["班", "课", "老师"]
FEE_STEMS = words("""培训 补习 辅导 资料 教材 教辅 课本 报名 托管 伙食 校服 学杂 书本 考试 管理
会员 课程 材料 保险 午餐 晚托 研学 活动 赞助 择校 咨询 违约 住宿 餐 保教 试卷 打印 服装 器材
场地 交通 考级 比赛 床位 餐饮 洗衣 取暖 网络 住宿费用 加课 补课 家教 网课 课时 手续 服务 延时服务 课后服务 午托 早餐 晚餐 水电
空调 体检 平台 教具 耗材 校车 接送 夏令营 冬令营 学习 讲义 练习册 试听 体验 押金 课后 班 学
杂 书 印刷 复印 证书 上课 服务器 代办 中介 介绍 入会 续课 续费 插班 转班 退课 耗材""")
LOANS = words("""学费贷 培训贷 教育贷 课程贷 消费贷 分期贷 助学贷 校园贷 网贷 套路贷 现金贷 信用贷
教培贷 贷款 分期 分期付款 贷款合同 贷款公司 金融公司 网贷平台 分期平台 还贷 贷款利息""")
AMOUNT_STEMS = words("""作业 阅读 学习 睡眠 工作 刷题 背诵 抄写 训练 词汇 单词 练习 运动 课时 课业
写字 作文 默写 练字 试卷 考试 题 课外 家庭作业 书面作业 习题 口算 计算""")
# Less common kinds of homework: below the common ones that share their initials (暑假作业 sjzy
# before 实践作业).
HOMEWORK_RARE = words("实践作业 电子作业 口头作业 打印作业 作业拍照 作业上传 作业内容 作业检查")
CLASSROOM = words("""背书 抄书 罚站 罚抄 罚写 留堂 拖堂 补作业 重写 座位 排座位 调座位 同桌 黑板 讲台
课桌 放学晚 下课晚 放学太晚 学校食堂 学校门口 校门口 学校附近 小区门口 自己家 自己家里 老师家
他家 她家 新课 上新课 讲新课 在自己家 到家里 去家里 只放了 放了几天 放假时间 举报的 投诉的 反映的""")
# The papers and groups of school life: …单 …本 …卷 …册 …表 …群 …集 …号.
DOCUMENTS = words("""作业单 预习单 复习单 练习单 缴费单 收费单 报名单 成绩单 清单 名单 退费单 作业本 错题本
口算本 练习本 听写本 默写本 日记本 笔记本 作文本 生字本 试卷 复习卷 模拟卷 练习卷 测试卷 单元卷
期末卷 考试卷 练习册 作业册 口算册 报名表 课程表 作息表 成绩表 登记表 家长群 班级群 年级群 打卡群
学习群 作业群 补课群 微信群 错题集 习题集 试题集 微信号 手机号 电话号码 学号 联系方式 联系电话
手抄报 小报 读书笔记 阅读笔记 读书卡 阅读卡 亲子作业 手工作业 家长作业 实践作业 小制作""")
# What a parent reports of a teacher's conduct and of a child's health.
CONDUCT = words("""打孩子 骂孩子 打学生 骂学生 吼孩子 体罚 变相体罚 语言暴力 冷暴力 歧视 偏心 区别对待
收礼 送礼 收红包 送红包 收购物卡 购物卡 请客吃饭 吃拿卡要 捐款 家长捐款 摊派 乱摊派 强制订购
强制购买 有偿家教 收好处 拿回扣 回扣 暗示 暗示补课 暗示家长 暗示学生 推荐机构 介绍学生 拉生源 招揽学生""")
HEALTH = words("""视力 视力下降 近视 近视眼 抑郁 抑郁症 焦虑症 厌学 厌学情绪 心理 心理健康 心理压力
身体 身体健康 体质下降 失眠 头疼 肚子疼 生病了 住院 看医生 心理医生 情绪 情绪低落
不愿意上学 不想上学 哭着写作业 睡眠不够 睡眠不足 课后延时 延时 延时服务费""")
# How long an activity lasts: 学习时长, not 学习市场.
SPANS = words("学习 睡眠 作业 上课 培训 补课 课后服务 在校 运动 户外活动 看屏幕 使用手机 锻炼 休息 课时")
HOMEWORK = words("""作业单 作业题 作业本 作业群 作业时间 作业负担 作业公示 作业清单 作业打卡 作业辅导
作业批改 作业时长 作业总量 作业太多 作业太难 作业内容 作业要求 作业检查 作业拍照 作业上传
学业负担 学业压力 学业水平 学业成绩 学业质量 课业负担 课业压力 课外作业 课后作业 寒假作业
暑假作业 周末作业 假期作业 家庭作业 书面作业 口头作业 实践作业 电子作业 打印作业 作业布置
布置作业 批改作业 检查作业 签字作业 抄写作业 罚抄作业 练习册 试卷 卷子 打卡 拍照上传""")
ARRANGEMENTS = words("""一对一 一对二 一对多 小班 大班 住家 住家老师 住家教师 住家家教 住家保姆
高端家政 家政 保姆 育儿嫂 众筹 众筹私教 众筹补课 众筹班 拼班 拼课 团购 团购课 托管 托管中心 托管机构
托管班 午托 晚托 全托 日托 小饭桌 晚辅 家教 请家教 找家教 上门 上门家教 上门辅导 上门补课
私教 私人教练 陪读 陪练 陪写 陪写作业 作业辅导 课外辅导 线上辅导 视频辅导 直播辅导 网课 直播课
录播课 学习机 点读机 学习平台 学习软件 拍照搜题 搜题软件 研学 游学 夏令营 冬令营 营地
工作室 辅导站 学习室 自习室 自习 晚自习 早自习 晚辅 托管点 补习点 培训点 教学点 私人工作室""")
ROLES = words("""教务处 校务处 政教处 政教主任 总务处 德育处 教科室 少先队 团委 学生会 大队辅导员
班主任 副班主任 家委会 家委会主任 家委 家长委员会 教导主任 教务主任 德育主任 年级主任
年级组长 教研组长 备课组长 校长 副校长 园长 副园长 辅导员 班干部 课代表 学习委员 生活老师
宿管老师 助教 教练 家教老师 代课老师 任课老师 班长 督学 责任督学 教育局长 局长 主任
老师 教师 在职教师 在职老师 退休老师 退休教师 机构老师 培训老师 外教 学管 学管老师 课程顾问
招生老师 销售顾问 前台 校区负责人 校区 法人 老板 老板娘 股东 负责人 工作人员 网格员 社区
居委会 物业 街道 派出所 教育局 市场监管局 市监局 教体局 双减办 信访办 纪委 班级 年级 学校
中心校 教育集团 民办学校 公办学校 私立学校 国际学校 培训学校 培训机构 教育机构 辅导机构
补习机构 托管机构 艺术学校 校外机构 教培机构""")
GRADES = words("""一年级 二年级 三年级 四年级 五年级 六年级 七年级 八年级 九年级 初一 初二 初三
高一 高二 高三 小班 中班 大班 学前班 幼儿园 小学 初中 高中 中职 小学生 初中生 高中生 中学生
毕业班 低年级 中年级 高年级 小升初 初升高 中考 高考 学龄前 学段 义务教育阶段 幼小衔接
小学一年级 小学二年级 小学三年级 小学四年级 小学五年级 小学六年级 初中一年级 初中二年级
初中三年级 上小学 上初中 上高中 上幼儿园 读小学 读初中 读高中""")
POLICY = words("""双减 双减政策 双减工作 双减办 减轻负担 减负 减负增效 提质增效 五项管理 睡眠管理
手机管理 读物管理 体质管理 作业管理 分层作业 弹性作业 个性化作业 跨学科作业 实践性作业 作业设计
办学许可 办学许可证 办学资质 风险提示 消费提示 家校协同 家校沟通 家校共育 家校合作 家校联系 家校
家校社 营利性 非营利性 学科类 非学科类 学科类培训 非学科类培训 隐形变异 有偿补课 在职教师
预收费 资金监管 监管账户 黑名单 白名单 主阵地 课堂教学 课后服务 延时服务 弹性离校 课后托管
校内托管 暑期托管 寒假托管 公益托管 学业负担 培训负担 作业负担 过重负担 违规培训 违规办学
无证办学 超前培训 超标培训 超纲教学 应试教育 素质教育 家庭教育 家庭教育促进法 减负令""")
SINGLE_KIND_CLASSES = words("快班 慢班 普通班 实验班 火箭班 奥赛班 强基班 平行班 重点班 特长班")
WEEKDAYS = words("周一 周二 周三 周四 周五 周六 周日 周末 星期一 星期二 星期三 星期四 星期五 星期六 星期天")
NUMBERS = words("一 两 二 三 四 五 六 七 八 九 十 十一 十二 几")
CLOCK_PARTS = words("早上 上午 中午 下午 傍晚 晚上 半夜 凌晨 每天 每晚 周末 周六 周日")
CLOCK_TAILS = ["点", "点半", "点多", "点以后", "点之后", "点前", "点钟"]
TIMES = words("""周末 周六日 双休日 工作日 周一到周五 寒暑假 寒假 暑假 寒假期间 暑假期间 假期期间
节假日 法定节假日 国庆节 国庆 五一 春节 中秋 中秋节 元旦 清明 端午 劳动节 放学后 放学以后
下课后 上学前 每天晚上 每天早上 每周末 每个周末 每个月 每学期 每年 每周 每晚 晚自习 早自习
课间 午休 中午 晚饭后 睡觉前 半夜 深夜 凌晨 整个暑假 整个寒假 开学前 开学后 期中 期末 考试前
考前 上学期 下学期 这学期 上个月 这个月 下个月 上周 这周 下周 昨天 今天 前天 去年 今年 最近
一直 经常 天天 每次""")
AMOUNT_NUMBERS = words("""一 两 二 三 四 五 六 七 八 九 十 十一 十二 十五 二十 三十 四十 五十 六十
七十 八十 九十 一百 两百 三百 四百 五百 六百 七百 八百 九百 一千 两千 三千 四千 五千 六千 七千
八千 九千 一万 两万 三万 四万 五万 十万 几 几十 几百 几千 几万 好几 十几 二十几 一百多 两百多
三百多 五百多 一千多 两千多 三千多 五千多 一万多 两万多 好几千 好几万 好几百 上千 上万""")
UNITS = words("""元 块 块钱 节 节课 次 次课 个月 天 周 年 小时 个小时 分钟 课时 个课时 学期 个学期
期 门 门课 本 套 张 万 个 人 个人 个孩子 位 位老师 份""")
REPORTING = words("""举报 投诉 保密 匿名 实名 退费 退款 维权 曝光 反映 查处 处理 核实 回复 调查 取缔
整改 监管 热线 举报电话 投诉电话 热线电话 市长热线 信访 举报人 投诉人 被举报 被投诉 实名举报
匿名举报 匿名投诉 实名投诉 举报材料 投诉材料 证据 聊天记录 截图 录音 录像 照片 视频 收据 发票
合同 协议 转账记录 付款记录 缴费记录 缴费凭证 收款码 收款人 为我保密 替我保密 请保密 请为我保密
不要透露 保护隐私 身份信息 个人信息 信息泄露 打击报复 被报复 怕报复 穿小鞋 不敢说 不敢举报
希望处理 尽快处理 严肃处理 依法处理 调查处理 跟进处理 处理结果 回访 答复 受理 不受理 没人管
没有回复 石沉大海 踢皮球 推诿 不作为 退费难 退钱难 要求退费 申请退费 拒绝退费 拖延退费
退费申请 退款申请 退费协议 退款协议 退费标准 退费规定 全额退费 部分退费 按比例退费 预收费
乱收费 高收费 违规收费 超标收费 变相收费 强制收费 收费标准 收费项目 卷款跑路 卷款 跑路 关门
不回消息 不回电话 不回微信 不回复 退了一半 只退一半 退一半 一半的钱 一半以上
倒闭 停业 人去楼空 联系不上 失联 换名字 改名 换马甲 转入地下 转移阵地""")
# What teachers, schools and organisers do, as a parent writes it: 老师说 机构让 校长要.
ACTORS = words("老师 班主任 校长 学校 机构 老板 家长 孩子 培训班 补习班 他们 她们 我们")
ACTS = words("说 让 是 要 收 叫 逼 说是 要求")
ACTS += words("把 给")
# Only a teacher is said to hit or shout: 老师打, never 孩子罚 (孩子发烧).
TEACHERS = words("老师 班主任 校长 教练")
PUNISHES = words("打 骂 吼 罚")
# Exercises: …题 (奥数题, not 奥数提).
EXERCISES = words("""数学 奥数 竞赛 口算 应用 计算 选择 填空 阅读 作文 练习 思考 附加 难 错 真 考
押 试 习 例 压轴 判断 解答 证明 几何 方程""")
# When and where tutoring happens, with the kinds of tutoring: 周末补习, 课外培训.
TUTORING_WHEN = words("""课外 校外 线上 线下 暑期 暑假 寒假 周末 晚上 假期 节假日 在线 网上 上门 一对一
在家 私下 偷偷 有偿 集中 强制 违规 变相""")
TUTORING_WHAT = words("培训 补课 补习 辅导 上课 托管 办班")
# Who reports what: 家长反映, 学生投诉.
REPORTERS = words("家长 学生 群众 孩子 老师 居民 邻居 市民")
REPORTS = words("反映 投诉 举报")
# What was paid, joined, taken: 交的学费, 报的班 (not 叫得, 保德).
DONE = words("交 报 上 收 退 买 签 说 给 写 付 花 扣 请 找")
# Where exactly: 几单元, 三号楼, 五楼.
ADDRESS_NUMBERS = words("几 一 二 三 四 五 六 七 八 九 十 十一 十二")
ADDRESS_UNITS = words("单元 号楼 栋 楼 层 室 号 幢 门")
# The terms of a contract and of a course: 合同条款, 退费比例, 补课名额.
CONTRACT = words("""合同条款 合同约定 合同期限 违约条款 退费条款 退费比例 退费规则 退费流程 退费期限
收费项目 收费明细 收费许可 名额 名额有限 报名名额 补课名额 招生名额 超时上课 超时 课时用完
课时没上完 收款账户 个人账户 对公账户 私人账户 私人微信 私人收款""")
# Whether a teacher may teach: 教师资格证, 兼职老师.
QUALIFICATIONS = words("""教师资格证 教师资格 资格证 上岗证 健康证 无证上岗 没有资格证 兼职 兼职老师
兼职教师 大学生 大学生兼职 在校大学生 退休老师 本校老师 本校学生 本班学生 本班老师 本年级
自己班 自己班的学生 自己的学生 别的班 外校 外校老师 拒不退款 拒不退费 拒不整改 拒不配合
电话不接 不接电话 微信不回 消息不回 一拖再拖 多次催促 多次联系""")
# Paying early or more: 预交学费, 提前交费.
PAYMENTS = words("预交 提前交 预付 先交 多交 补交 已交 一次性交")
PAID = words("学费 费用 钱 定金 押金 课时费 培训费 一年的学费 一学期的学费")
SAFETY = words("""消防 消防通道 消防设施 消防安全 消防隐患 消防检查 安全出口 灭火器 安全隐患 安全问题
卫生条件 食品安全 卫生许可证 逃生通道 疏散通道 烟雾报警器 监控 没有监控""")
# Complaints about a thing: 学费太贵, 作业太多.
TOO = words("太贵 太高 太多 太重 太大 太晚 太难 太长 太累")
TOO_WHAT = words("学费 收费 费用 价格 作业 压力 负担 课时费 时间 课程")
# Where things happen, with 里: 家长群里, 居民楼里.
PLACES = words("班 群 家长群 班级群 年级群 小区 教室 学校 机构 家 老师家 居民楼 地下室 写字楼 培训班 补习班 微信群 宿舍 食堂")
# Money with 也 都 还 已经: 钱也退不回来, not 前夜.
MONEY = words("钱 学费 费用 押金")
# A parent's verbs with 了 (换了名字, not 欢乐名字).
PAST_VERBS = words("打了 骂了 罚了 交了 退了 换了 收了 报了 上了 买了 签了 写了 补了 花了 付了 扣了 跑了 关了 搬了 改了 停了 涨了 骗了")
# Sentence pieces the essay's single words put together wrongly (液晶板念了 for 已经半年了):
# durations with 了 and 已经, what has not happened yet, what happens only late, whose.
DURATIONS = words("""一天 两天 三天 几天 好几天 一周 两周 一个星期 两个星期 一个月 两个月 三个月
几个月 好几个月 半年 一年 两年 一个学期 好久 很久 半个月""")
NOT_YET = words("退 还 给 上 处理 回复 到账 联系 开课 上课 退钱 退费 办 解决 答复 结束 消息")
LATE = words("睡 睡觉 回家 放学 下课 写完 吃饭 起床 到家 结束")
MINE = words("信息 名字 电话 身份 孩子 女儿 儿子 手机号 个人信息 姓名 隐私 住址")
REFUSALS = words("报班 交钱 补课 上课 参加 去 买 退 退钱 退费 给退 让退 同意 承认 开发票 给收据")
VERBS = {
    "交": words("钱 了 费 学费 资料费 培训费 押金 定金 订金 会费 了钱 了学费"),
    "退": words("钱 费 学费 款 课 班 了 不了 不回来 一半 全款 差价"),
    "报": words("班 名 课 补习班 辅导班 培训班 兴趣班 了班 了名"),
    "上": words("课 网课 补习班 辅导班 培训班 兴趣班 辅导课 补习课 了课 完课 不了课 小学 初中"),
    "买": words("资料 教辅 练习册 试卷 课 课程 学习机 点读机 书 教材 指定资料"),
    "写": words("作业 作文 到半夜 到十点 到十一点 到十二点 不完 检讨"),
    "补": words("课 习 差 数学 英语 语文 物理 化学"),
    "签": words("合同 字 协议 名 退费协议"),
    "请": words("家教 老师 为我保密 保密 尽快处理 帮忙 帮助 核实 查处 处理"),
    "收": words("钱 费 了钱 学费 押金 定金 资料费 红包 礼物"),
    "逼": words("孩子 着补课 着报班 着买"),
    "让": words("孩子 家长 我们 学生 报班 补课 买资料 交钱"),
    "给": words("孩子 老师 家长 学生 钱 红包"),
    "找": words("老师 机构 家教 校长 教育局 不到人"),
    "办": words("补习班 辅导班 培训班 托管班 班 学"),
    "开": words("补习班 辅导班 培训班 托管班 班 课 发票 收据"),
}
DAILY = words("""我们 你们 他们 孩子们 家长们 老师们 同学们 我家 我家孩子 我的孩子 孩子的 老师的
学校的 机构的 老师说 老师让 老师要求 学校要求 机构说 老板说 家长说 孩子说 听说 据说 还在
一直在 正在 还要 还得   每次都
每天都 都要 都是  不让 不给 不准 不许 不能 不敢 不想 不愿意 不同意 不知道 没有 没办法
没时间 没钱 没用 太多 太晚 太累 太贵 太难 太久 很多 很晚 很累 很贵 好多 很久 名次 排名 家访
课时 补习 编程 名额 定金 收据 楼栋 门牌号 地址 位置 附近 对面 楼上 楼下 隔壁 小区 小区里
居民楼 居民楼里 写字楼 商场里 家里 他家 老师家 老师家里 在家里 在小区 在小区里 在居民楼""")


def main():
    held_out = set()
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("|")
            if len(fields) == 5 and fields[1] == "heldout":
                held_out.add(fields[2])

    entries = {}

    def add(word, weight=COMPOUND_WEIGHT):
        if word not in held_out:
            entries[word] = max(entries.get(word, 0), weight)

    for stem in SUBJECTS + KINDS:
        add(stem, STEM_WEIGHT)
        for suffix in CLASS_SUFFIXES:
            add(stem + suffix)
    for stem in FEE_STEMS:
        add(stem + "费")
    for stem in AMOUNT_STEMS:
        add(stem + "量")
    for word in SINGLE_KIND_CLASSES + POLICY:
        add(word)
    for day in WEEKDAYS:
        add("每" + day)
        for part in ("上午", "下午", "晚上"):
            add(day + part, GRID_WEIGHT)
    for big in ("百", "千", "万"):
        for n in AMOUNT_NUMBERS[:9]:
            for m in NUMBERS[:9]:
                add(n + big + m, GRID_WEIGHT)
    for actor in ACTORS:
        for act in ACTS:
            add(actor + act, GRID_WEIGHT)
    for actor in TEACHERS:
        for act in PUNISHES:
            add(actor + act, GRID_WEIGHT)
    for word in PAST_VERBS:
        add(word, GRID_WEIGHT)
    for word in HOMEWORK_RARE:
        add(word, RARE_WEIGHT)
    for word in CLASSROOM + DOCUMENTS + CONDUCT + HEALTH + SAFETY:
        add(word)
    for word in words("续报 续班 续费 教师 老师"):
        add(word, STEM_WEIGHT)
    for stem in EXERCISES:
        add(stem + "题")
    for stem in SUBJECTS + KINDS:
        add(stem + "教师", GRID_WEIGHT)
    for when in TUTORING_WHEN:
        for what in TUTORING_WHAT:
            add(when + what, RARE_WEIGHT)
    for who in REPORTERS:
        for report in REPORTS:
            add(who + report, GRID_WEIGHT)
    for verb in DONE:
        add(verb + "的", GRID_WEIGHT)
    for n in ADDRESS_NUMBERS:
        for unit in ADDRESS_UNITS:
            add(n + unit, GRID_WEIGHT)
    for word in QUALIFICATIONS + CONTRACT:
        add(word)
    for pay in PAYMENTS:
        for paid in PAID:
            add(pay + paid, GRID_WEIGHT)
    for what in SPANS:
        add(what + "时长")
        add(what + "时间", GRID_WEIGHT)
    for when in words("暑假 寒假 课后 校内 公益 晚间 午间 暑期 假期 周末"):
        add(when + "托管")
    for what in TOO_WHAT:
        for too in TOO:
            add(what + too, GRID_WEIGHT)
    for place in PLACES:
        add(place + "里", GRID_WEIGHT)
    for money in MONEY:
        for adverb in words("也 都 还 已经"):
            add(money + adverb, GRID_WEIGHT)
    for neg in ("没", "没有", "没签", "没有签", "不签"):
        for thing in words("合同 协议 发票 收据 资质 执照 办学许可证"):
            add(neg + thing, GRID_WEIGHT)
    for span in DURATIONS:
        add(span + "了", GRID_WEIGHT)
        add("已经" + span, GRID_WEIGHT)
    for verb in NOT_YET:
        for before in ("还没", "一直没", "还没有", "一直没有"):
            add(before + verb, GRID_WEIGHT)
    for verb in LATE:
        add("才" + verb, GRID_WEIGHT)
    for thing in MINE:
        add("我的" + thing, GRID_WEIGHT)
    for verb in REFUSALS:
        add("不" + verb, GRID_WEIGHT)
    for word in words("写着 说着 标着 贴着 注明 写明 概不退款 概不退费 一律不退"):
        add(word, GRID_WEIGHT)
    for word in LOANS + HOMEWORK + ARRANGEMENTS + ROLES + GRADES + TIMES + REPORTING + DAILY:
        add(word)
    for part in CLOCK_PARTS:
        for n in NUMBERS:
            for tail in CLOCK_TAILS:
                add(part + n + tail, GRID_WEIGHT)
    for n in NUMBERS:
        for tail in CLOCK_TAILS:
            add(n + tail, GRID_WEIGHT)
    for n in AMOUNT_NUMBERS:
        for unit in UNITS:
            add(n + unit, GRID_WEIGHT)
    for verb, objects in VERBS.items():
        for obj in objects:
            add(verb + obj, GRID_WEIGHT)

    readings = rime_readings.Readings()
    # An entry never pushes down a more common everyday word of the same sound (座位 stays
    # below 作为, 几本 below 基本): it goes just under it, still above the rarer homophones.
    common = rime_readings.common_words(readings, COMMON_ESSAY_WEIGHT)
    for word in entries:
        rivals = [w for other, w in common.get(readings.code(word) or "", []) if other != word]
        if rivals:
            entries[word] = min(entries[word], max(rivals) // 2)
    print("# Minsheng: the words of school life and of a parent's complaint, by category")
    print("# (scripts/gen-rime-school-vocabulary.py; generated, do not edit). Imported by")
    print("# minsheng_pinyin.dict.yaml.")
    print("---\nname: minsheng_school\nversion: \"2026.1\"\nsort: by_weight\n"
          "use_preset_vocabulary: false\n...\n")
    written = 0
    for word in sorted(entries, key=lambda w: (-entries[w], w)):
        code = readings.code(word)
        if code:
            print(f"{word}\t{code}\t{entries[word]}")
            written += 1
    print(f"gen-rime-school-vocabulary: {written} entries", file=sys.stderr)


if __name__ == "__main__":
    main()
