// Every visible string of the pages, in English and Traditional Chinese (zh-TW).
//
// Static text is marked in the HTML with data-i18n (text), data-i18n-placeholder,
// data-i18n-aria-label or data-i18n-title, holding a key of STRINGS; applyTranslations() fills them
// in. Scripts call t(key, params) for dynamic text and re-render on the "languagechange" event.

const STRINGS = {
  en: {
    'app.name': 'Archipelago',
    'app.tagline': 'Live lessons for every island',
    'lang.label': 'Language',
    'lang.en': 'English',
    'lang.zh-TW': '中文',

    'landing.title': 'Join a lesson',
    'landing.intro': 'One teacher, many classrooms, one lesson. Enter the room your teacher gave you.',
    'landing.room': 'Room',
    'landing.room.hint': 'Letters, digits, - and _ (up to 64).',
    'landing.room.invalid': 'Use 1 to 64 letters, digits, - or _.',
    'landing.name': 'Your name',
    'landing.name.hint': 'Shown to the others, e.g. "Lanyu Elementary, Grade 4".',
    'landing.name.invalid': 'Enter a name of 1 to 64 characters.',
    'landing.role': 'I am joining as',
    'landing.role.teacher': 'Teacher',
    'landing.role.teacher.hint': 'Give the lesson and see every classroom.',
    'landing.role.classroom': 'Classroom',
    'landing.role.classroom.hint': 'A class taking part with camera and microphone.',
    'landing.role.observer': 'Observer',
    'landing.role.observer.hint': 'Watch and listen only.',
    'landing.token': 'Join token',
    'landing.token.hint': 'Needed when the server is not on this computer. Ask the organiser.',
    'landing.token.show': 'I have a join token',
    'landing.submit': 'Join',

    'state.label': 'Connection',
    'state.starting': 'Starting…',
    'state.camera': 'Opening camera and microphone…',
    'state.preparing': 'Preparing media…',
    'state.connecting': 'Connecting to the server…',
    'state.joining': 'Joining the room…',
    'state.media': 'Connecting media…',
    'state.live': 'Live',
    'state.reconnecting': 'Media interrupted, reconnecting…',
    'state.disconnected': 'Disconnected',
    'state.error': 'Error',
    'state.unreachable': 'Cannot reach the server.',
    'state.closed': 'The server closed the connection.',
    'state.rejoin': 'Rejoin',
    'state.back': 'Back to the join page',
    'error.format': 'Error {code}: {message}',
    'error.camera': 'Camera or microphone unavailable: {message}',
    'error.params': 'Missing room or name. Please join from the start page.',

    'role.teacher': 'Teacher',
    'role.classroom': 'Classroom',
    'role.observer': 'Observer',
    'room.label': 'Room {room}',
    'you.label': 'You: {name}',
    'sound.enable': 'Turn on sound',

    'teacher.title': 'Teacher',
    'teacher.preview': 'Your camera',
    'teacher.screen.start': 'Share screen',
    'teacher.screen.stop': 'Stop sharing',
    'teacher.screen.on': 'Your screen is being shared.',
    'teacher.screen.failed': 'Screen sharing failed: {message}',
    'teacher.classrooms': 'Classrooms',
    'teacher.classrooms.none': 'No classroom has joined yet.',
    'teacher.classrooms.count': '{n} classroom(s)',
    'teacher.observers.count': '{n} observer(s)',
    'tile.waiting': 'Waiting for video…',
    'tile.noslot': 'Video not shown (all slots in use)',
    'tile.stage.on': 'Put on stage',
    'tile.stage.off': 'Take off stage',
    'tile.floor.on': 'Give the floor',
    'tile.floor.off': 'Take the floor back',
    'tile.onstage': 'On stage',
    'tile.hasfloor': 'Has the floor',
    'quality.lost': 'Lost',
    'quality.rtt': 'RTT',
    'quality.fps': 'fps',
    'quality.good': 'Good connection',
    'quality.fair': 'Fair connection',
    'quality.poor': 'Poor connection',
    'quality.unknown': 'Measuring…',

    'classroom.title': 'Classroom',
    'observer.title': 'Observer',
    'classroom.teacherScreen': 'Teacher\'s screen',
    'classroom.teacherCamera': 'Teacher',
    'classroom.stage': 'On stage',
    'classroom.stage.none': 'No classroom on stage',
    'classroom.stage.you': 'You are on stage — everyone sees and hears you.',
    'classroom.floor.you': 'You have the floor — everyone hears you.',
    'classroom.floor.other': '{name} has the floor.',
    'classroom.preview': 'Your camera',
    'classroom.noTeacher': 'The teacher has not joined yet.',
    'classroom.screen.none': 'The teacher is not sharing a screen.',
  },
  'zh-TW': {
    'app.name': 'Archipelago 群島課堂',
    'app.tagline': '讓每座島嶼都能上直播課',
    'lang.label': '語言',
    'lang.en': 'English',
    'lang.zh-TW': '中文',

    'landing.title': '加入課堂',
    'landing.intro': '一位老師、多間教室、同一堂課。請輸入老師提供的教室代號。',
    'landing.room': '教室代號',
    'landing.room.hint': '英文字母、數字、- 與 _（最多 64 個字元）。',
    'landing.room.invalid': '請使用 1 到 64 個英文字母、數字、- 或 _。',
    'landing.name': '您的名稱',
    'landing.name.hint': '其他人會看到，例如「蘭嶼國小四年級」。',
    'landing.name.invalid': '請輸入 1 到 64 個字元的名稱。',
    'landing.role': '加入身分',
    'landing.role.teacher': '老師',
    'landing.role.teacher.hint': '授課並看到所有教室。',
    'landing.role.classroom': '教室',
    'landing.role.classroom.hint': '以攝影機與麥克風參與的班級。',
    'landing.role.observer': '旁聽者',
    'landing.role.observer.hint': '只看與聽。',
    'landing.token': '加入權杖',
    'landing.token.hint': '伺服器不在這台電腦上時需要，請向主辦者索取。',
    'landing.token.show': '我有加入權杖',
    'landing.submit': '加入',

    'state.label': '連線',
    'state.starting': '啟動中…',
    'state.camera': '正在開啟攝影機與麥克風…',
    'state.preparing': '正在準備媒體…',
    'state.connecting': '正在連線到伺服器…',
    'state.joining': '正在加入教室…',
    'state.media': '正在連接媒體…',
    'state.live': '直播中',
    'state.reconnecting': '媒體中斷，重新連線中…',
    'state.disconnected': '已中斷連線',
    'state.error': '錯誤',
    'state.unreachable': '無法連線到伺服器。',
    'state.closed': '伺服器已關閉連線。',
    'state.rejoin': '重新加入',
    'state.back': '回到加入頁面',
    'error.format': '錯誤 {code}：{message}',
    'error.camera': '無法使用攝影機或麥克風：{message}',
    'error.params': '缺少教室代號或名稱，請從首頁加入。',

    'role.teacher': '老師',
    'role.classroom': '教室',
    'role.observer': '旁聽者',
    'room.label': '教室 {room}',
    'you.label': '您：{name}',
    'sound.enable': '開啟聲音',

    'teacher.title': '老師',
    'teacher.preview': '您的攝影機',
    'teacher.screen.start': '分享螢幕',
    'teacher.screen.stop': '停止分享',
    'teacher.screen.on': '正在分享您的螢幕。',
    'teacher.screen.failed': '螢幕分享失敗：{message}',
    'teacher.classrooms': '教室',
    'teacher.classrooms.none': '還沒有教室加入。',
    'teacher.classrooms.count': '{n} 間教室',
    'teacher.observers.count': '{n} 位旁聽者',
    'tile.waiting': '等待視訊…',
    'tile.noslot': '未顯示視訊（所有視訊位置已滿）',
    'tile.stage.on': '請上台',
    'tile.stage.off': '請下台',
    'tile.floor.on': '給予發言權',
    'tile.floor.off': '收回發言權',
    'tile.onstage': '台上',
    'tile.hasfloor': '發言中',
    'quality.lost': '遺失',
    'quality.rtt': '延遲',
    'quality.fps': '幀/秒',
    'quality.good': '連線良好',
    'quality.fair': '連線普通',
    'quality.poor': '連線不佳',
    'quality.unknown': '測量中…',

    'classroom.title': '教室',
    'observer.title': '旁聽',
    'classroom.teacherScreen': '老師的螢幕',
    'classroom.teacherCamera': '老師',
    'classroom.stage': '台上',
    'classroom.stage.none': '目前沒有教室在台上',
    'classroom.stage.you': '您在台上，所有人都看得到、聽得到您。',
    'classroom.floor.you': '您有發言權，所有人都聽得到您。',
    'classroom.floor.other': '{name} 正在發言。',
    'classroom.preview': '您的攝影機',
    'classroom.noTeacher': '老師還沒有加入。',
    'classroom.screen.none': '老師目前沒有分享螢幕。',
  },
};

export const LANGUAGES = Object.freeze(Object.keys(STRINGS));
const STORAGE_KEY = 'archipelago.lang';

/** zh-TW and zh-Hant (and the other Traditional-script regions) read Chinese; anything else English. */
export function languageFor(tags) {
  for (const tag of tags || []) {
    const lower = String(tag).toLowerCase();
    if (/^zh-(tw|hk|mo)\b/.test(lower) || lower.startsWith('zh-hant')) return 'zh-TW';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

function storedLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : null;
  } catch {
    return null; // storage disabled: fall back to the browser's language
  }
}

let current = storedLanguage() || languageFor(navigator.languages?.length ? navigator.languages : [navigator.language]);

export function language() {
  return current;
}

/** The string for key in the current language, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const template = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Fills every data-i18n* element under root and sets <html lang>. */
export function applyTranslations(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

/** Switches language, remembers the choice, re-translates, and tells scripts ("languagechange"). */
export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; the switch still works for this page
  }
  applyTranslations();
  document.dispatchEvent(new CustomEvent('languagechange', { detail: { language: lang } }));
}

/** Renders the language switch (one button per language, the current one pressed) into container. */
export function mountLanguageSwitch(container) {
  container.replaceChildren();
  container.setAttribute('role', 'group');
  container.dataset.i18nAriaLabel = 'lang.label';
  for (const lang of LANGUAGES) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'lang-button';
    button.lang = lang;
    button.dataset.lang = lang;
    button.dataset.i18n = 'lang.' + lang;
    button.addEventListener('click', () => setLanguage(lang));
    container.append(button);
  }
  const mark = () => {
    for (const button of container.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === current));
    }
  };
  mark();
  document.addEventListener('languagechange', mark);
  applyTranslations(container.parentElement || document);
}
