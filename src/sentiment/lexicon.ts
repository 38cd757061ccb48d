// Our customer-service layer over AFINN. Every list here was written by reasoning about what
// customers write when a service fails or delights them — across retail, delivery, travel,
// banking, telecom, SaaS and software bugs — never extracted from a labelled data set.
// Changing anything in this file means bumping SCORER_VERSION in scorer.ts.

/** Valences on AFINN's scale (−5 … 5). Multi-word keys are phrases; `<n>` matches any number. */
export type Lexicon = Readonly<Record<string, number>>

/**
 * Service failures: things that went wrong for the customer. Each one is negative and also
 * marks the text as a complaint, and can turn a "thanks"/"great job" before it into sarcasm.
 */
export const FAILURES: Lexicon = {
  // cancellations, delays, waiting
  cancelled: -2, canceled: -2, cancelation: -1, cancellation: -1, cancellations: -2,
  delayed: -2, delay: -2, delays: -2, 'delayed again': -3, late: -1, overdue: -2,
  'running late': -2, 'still waiting': -3, 'keep waiting': -2, 'kept waiting': -2,
  'been waiting': -2, 'waiting for': -1, 'waited for': -2, 'waited over': -2, 'long wait': -2,
  'on hold': -2, 'put on hold': -3, 'hold music': -1, 'hung up': -2, 'hang up': -1,
  'for hours': -2, 'hours later': -2, 'for days': -2, 'for weeks': -2, 'for months': -2,
  'over an hour': -2, 'over <n> hours': -2, 'for <n> hours': -2, 'for <n> hrs': -2,
  'for <n> days': -2, 'for <n> weeks': -2, 'over <n> days': -2, '<n> hours late': -3,
  '<n> hrs late': -3, '<n> days late': -3, 'hour delay': -2, 'hours delay': -2,
  'missed my': -2, stranded: -3, stuck: -2, overbooked: -2, oversold: -2, rebooked: -1,
  'rebooked me': -1, rescheduled: -1,
  // things that never came or went missing
  'never arrived': -3, 'never received': -3, 'never got': -2, 'never came': -2,
  'never showed': -3, 'never showed up': -3, 'never delivered': -3, 'never heard back': -3,
  'never responded': -3, 'never called back': -3, 'never fixed': -3, 'never again': -3,
  'not delivered': -3, 'not received': -3, 'no show': -2, 'no-show': -2, undelivered: -2,
  'lost my': -3, 'lost our': -3, 'lost package': -3,
  misplaced: -2, 'wrong order': -3, 'wrong item': -3, 'wrong size': -2, 'wrong address': -2,
  'missing item': -3, 'missing items': -3, 'items missing': -3, damaged: -3, defective: -3,
  'arrived broken': -3, 'arrived damaged': -3, spilled: -2, soggy: -2, stale: -2,
  // no answer, no help
  'no response': -3, 'no reply': -3, 'no answer': -2, 'no callback': -2, 'no call back': -2,
  'no update': -2, 'no updates': -2, 'no info': -2, 'no information': -2, 'no explanation': -2,
  'no communication': -3, 'no notice': -2, 'no warning': -2, 'no apology': -2,
  'no compensation': -2, 'no help': -3, 'no way to': -2,
  'no idea': -1, 'no clue': -2, 'no refund': -3, 'still no': -3, 'still not': -3,
  "still haven't": -3, 'still havent': -3, "still hasn't": -3, 'still hasnt': -3,
  "still can't": -3, 'still cant': -3, "still don't": -2, 'still dont': -2,
  "still doesn't": -3, 'still doesnt': -3, "still isn't": -3, 'still nothing': -3,
  'still broken': -3, 'still down': -3, 'still stuck': -3, 'lack of': -2, 'left us': -1,
  'left me': -1, 'ignored': -2, ignoring: -2, unhelpful: -2, unreachable: -2,
  unresponsive: -2, 'run around': -2, runaround: -2, 'the runaround': -3,
  'transferred again': -2, 'passed around': -2, 'passing the buck': -2,
  "can't get through": -3, 'cant get through': -3, 'cannot get through': -3,
  "can't reach": -2, 'cant reach': -2, 'unable to reach': -2, 'trying to reach': -1,
  'trying to get': -1, 'trying to call': -1, 'been trying': -2, 'keeps telling': -2,
  'nobody answers': -3, 'no one answers': -3, 'no one answered': -3, 'hold times': -2,
  'hold time': -2, 'wait time': -1, 'wait times': -1, 'automated message': -1,
  // money
  'charged twice': -3, 'double charged': -3, 'charged me twice': -3, overcharged: -3,
  overcharging: -3, 'hidden fees': -3, 'hidden fee': -3, 'extra fee': -2, 'extra charge': -2,
  'unauthorized charge': -3, 'unauthorised charge': -3, 'charged me': -1, ripoff: -3,
  'rip off': -3, 'ripped off': -3, scammed: -4, 'want my money back': -3,
  'money back': -2, 'where is my refund': -3, 'waiting on a refund': -3,
  'refund denied': -3, 'payment failed': -2, 'card declined': -2, 'locked out': -3,
  'account locked': -2, 'account suspended': -2, 'froze my account': -3, 'frozen account': -2,
  hacked: -3, 'fraudulent charge': -3, overdraft: -1, 'late fee': -2,
  // things broken (product, app, site, network)
  broken: -2, 'is broken': -3, crashed: -2, crashes: -2, crashing: -2,
  'keeps crashing': -3, freezes: -2, freezing: -1, 'keeps freezing': -3, glitch: -2,
  glitches: -2, glitchy: -2, buggy: -2, bug: -1, bugs: -1, outage: -3, outages: -3,
  'is down': -2, 'was down': -2, 'went down': -2, 'goes down': -2, 'down again': -3,
  // …but "the bill is down 38%" is a decrease: the longer phrase wins and weighs nothing.
  'is down <n>': 0, 'was down <n>': 0, 'are down <n>': 0, 'went down <n>': 0, 'is down by': 0,
  'was down by': 0, 'are down by': 0, 'went down by': 0,
  'not working': -3, "doesn't work": -3, 'doesnt work': -3, "didn't work": -2,
  "won't work": -3, 'wont work': -3, 'stopped working': -3, "won't load": -3, 'wont load': -3,
  "doesn't load": -3, 'not loading': -3, "can't log in": -3, "can't login": -3,
  'cant login': -3, 'cant log in': -3, 'unable to': -2, "won't let me": -2, 'wont let me': -2,
  "doesn't let me": -2, 'keeps dropping': -3, 'dropped calls': -3, 'dropped call': -2,
  'no signal': -3, 'no service': -3, 'no internet': -3, 'no wifi': -2, 'no power': -2,
  'error message': -2, 'error code': -2, unusable: -3, 'not responding': -2, 'timed out': -2,
  'data loss': -3, 'lost data': -3, 'lost all': -3, 'wiped out': -2,
  // general service failure
  unacceptable: -3, 'not acceptable': -3, 'not ok': -2, 'not okay': -2, 'not happy': -3,
  'worst service': -4, 'poor service': -3, 'bad service': -3, 'terrible service': -4,
  'customer disservice': -3, incompetence: -3, 'fed up': -3, 'sick of': -3, 'tired of': -2,
  'had enough': -2, 'last time': -1, 'never using': -3,
  'never ordering': -3, 'never buying': -3, 'never shopping': -3, 'switching to': -2,
  'take my business': -3, 'taking my business': -3, 'lost a customer': -3,
  'lost a loyal customer': -4, 'lost my business': -3, 'how hard is it': -2,
  'how hard can it be': -3, 'what is going on': -1, "what's going on": -1, 'what the hell': -3,
  'again and again': -2, 'third time': -2, '3rd time': -2, 'second time': -1, '2nd time': -1,
  'yet again': -2, 'once again': -1, 'every time': -1, 'each time': -1,
  'false advertising': -3, 'misleading': -2, 'lied': -3, 'lying': -2, 'excuses': -2,
  complaint: -2, complaints: -2, 'filed a complaint': -3, 'file a complaint': -3,
  escalate: -1, escalated: -1, 'speak to a manager': -2, 'talk to a manager': -2,
  'not impressed': -3, 'disappointing': -2, 'dissatisfied': -3, 'unhappy': -2, 'annoyed': -2,
  'furious': -3, 'livid': -4, 'outraged': -3, 'appalled': -3, 'beyond frustrated': -4,
  'ridiculous': -3, 'absurd': -2, 'joke of a': -3, 'a joke': -3, 'is a joke': -3,
  'what a joke': -3, 'epic fail': -3, fail: -2, fails: -2, 'fail again': -3,
  'no excuse': -3, 'no excuses': -2, "couldn't be bothered": -3, 'couldnt be bothered': -3,
  "didn't bother": -2, 'didnt bother': -2, "don't give a": -3, 'dont give a': -3,
  "doesn't give a": -3, 'doesnt give a': -3, "couldn't care less": -3, 'couldnt care less': -3,
  'do better': -2, 'get it together': -2, 'get your act together': -3, 'get your shit together': -3,
  'step it up': -2, 'supposed to': -1, 'what am i supposed to do': -3, 'heard nothing': -3,
  'received nothing': -3, 'got nothing': -2, 'and counting': -2, '<n> hours': -1, '<n> hrs': -1,
  '<n> more hours': -2, '<n> hours later': -2, "why can't": -2, 'why cant': -2, 'why cannot': -2,
  "why won't": -2, 'why wont': -2, "why isn't": -2, 'why isnt': -2, "why doesn't": -2,
  'why doesnt': -2, "why didn't": -2, 'why didnt': -2, "why aren't": -2, "why wasn't": -2,
  'why do i have to': -2, 'why would you': -2, 'why is it so': -2, "it's a shame": -2,
  'what a shame': -2, 'no sign of': -2, 'without telling': -2, 'without notice': -2,
  'without warning': -2, 'broken promise': -3, 'broken promises': -3, 'false promises': -3,
  'not worth': -2, 'waste of time': -3, 'waste of money': -3, 'wasted my': -3, 'wasted': -2,
  'should be ashamed': -3, 'shame on you': -3, 'never been so': -1, 'worst experience': -4,
  'worst customer': -4, 'terrible experience': -4, 'horrible experience': -4,
  'bad experience': -3, 'poor experience': -3, 'zero stars': -3, 'one star': -2, '1 star': -2,
  "what's the point": -2, 'whats the point': -2, 'what is the point': -2, 'what good is': -2,
  'how does that make sense': -3, 'makes no sense': -2, 'make no sense': -2,
  "doesn't make sense": -2, 'doesnt make sense': -2, 'does not make sense': -2,
  'is this a joke': -3, 'are you kidding': -3, 'you kidding me': -3, 'are you serious': -2,
  'must be nice': -2, 'would be nice if': -2, 'would be nice': -1, 'only cares about': -3,
  'only care about': -3, 'heaven help': -2, 'wait <n>': -1, 'waited <n>': -2, 'waiting <n>': -2,
  'after <n> hours': -2, 'after <n> hrs': -2, 'took forever': -3, 'taking forever': -3,
  'takes forever': -3, 'hour wait': -2, 'hr wait': -2, 'hours wait': -2, 'minute wait': -1,
  'min wait': -1, 'will no longer': -2, 'you better': -1, "you'd better": -1,
  'you had better': -1, 'not a fan': -2, 'not so much': -2, "why haven't": -2, 'why havent': -2,
  "why hasn't": -2, 'why hasnt': -2, 'why am i not': -2, 'why are we not': -2, 'why is there no': -2,
  'former customer': -3, 'ex customer': -3, 'go elsewhere': -2, 'going elsewhere': -2,
  'got nowhere': -3, 'got no where': -3, 'getting nowhere': -3, 'gave up': -2, 'give up': -1,
  disconnected: -2, disconnects: -2, 'hangs up': -2, 'hung up on': -3, 'no reason': -2,
  vanished: -2, disappeared: -2, expired: -1, "i'll believe it when": -2, 'ill believe it when': -2,
  "can't make this up": -2, 'cant make this up': -2, 'means nothing': -2, 'mean nothing': -2,
  'no stars': -3, 'money grab': -3, 'cash grab': -3, 'price gouging': -3, 'bait and switch': -3,
  // handled badly: what staff or systems did to the customer
  mishandled: -3, mishandling: -3, botched: -3, mismanaged: -3, mismanagement: -3, bumped: -2,
  'bumped me': -3, 'bumped up': 2, 'bumped me up': 2, downgraded: -2, 'kicked off': -3,
  'turned away': -3, 'turned me away': -3,
  malfunction: -2, malfunctioning: -3, inoperable: -2, faulty: -2, snafu: -2, mixup: -2,
  'mix up': -2, 'screwed up': -3, 'messed up': -3, 'screw up': -2, screwup: -3, 'dropped the ball': -3,
  'lost track': -2, mistreated: -3, 'treated like': -2, negligent: -3, negligence: -3,
  'where is my': -2, "where's my": -2, 'wheres my': -2, 'where are my': -2, 'what happened to my': -2,
  'getting old': -2, 'enough with': -2, 'enough is enough': -3, 'had it with': -3, 'done with you': -3,
  "i'm done": -2, 'im done': -2, 'never book': -3, 'never use': -2,
  'never recommend': -3, 'stay away': -3, 'avoid at all costs': -4, beware: -2,
  'non existent': -3, nonexistent: -3, 'no one to': -2, 'nowhere to be found': -3,
  'no staff': -2, 'no agent': -2, 'no agents': -2, 'no food': -2, 'no water': -2, 'no air': -2,
  'no heat': -2, 'no record': -2, 'still sitting': -2, 'still in the': -1,
  // could not do what they came to do
  "can't get": -2, 'cant get': -2, 'cannot get': -2, "couldn't get": -2, 'couldnt get': -2,
  'could not get': -2, "can't access": -2, 'cant access': -2, 'cannot access': -2,
  'unable to access': -2, "can't find": -1, 'cant find': -1, "couldn't find": -1, 'couldnt find': -1,
  "haven't been able to": -2, 'havent been able to': -2, 'have not been able to': -2,
  "hasn't been able to": -2, 'hasnt been able to': -2, "wasn't able to": -2, 'wasnt able to': -2,
  'was not able to': -2, "weren't able to": -2, 'were not able to': -2, 'not able to': -2,
  "can't seem to": -2, 'cant seem to': -2, "can't even": -2, 'cant even': -2,
  "wouldn't let me": -2, 'wouldnt let me': -2, 'would not let me': -2, "didn't let me": -2,
  'didnt let me': -2, "can't count on": -2, 'cant count on': -2, "can't rely on": -2,
  'cant rely on': -2, 'keep getting': -1, 'keeps getting': -1,
  // gone to a competitor, or about to
  'another provider': -2, 'different provider': -2, 'another bank': -2, 'a competitor': -1,
  'another company': -2, 'different company': -2, 'go with another': -2, 'going with another': -2,
  'went with another': -2, 'book with another': -2, 'booking with another': -2,
  // how long it has been
  'been <n> days': -2, 'been <n> hours': -2, 'been <n> weeks': -2, 'been <n> months': -2,
  'over <n> mins': -1, 'over <n> minutes': -1, 'no one could': -2, 'nobody could': -2,
  'canned reply': -2, 'standard reply': -2, 'standard response': -2, 'generic reply': -2,
  'automated reply': -2, 'miss my': -2, 'making me miss': -3, 'made me miss': -3,
  'canned response': -2, 'generic response': -2, 'automated response': -2, 'form letter': -1,
  'copy and paste': -2, 'high call volume': -1, 'high call volumes': -1, 'real person': -1,
  'live person': -1, 'human being': -1, 'actual person': -1, 'actual human': -1,
  overcrowded: -2, 'short staffed': -2, overworked: -1, 'false information': -3, 'wrong information': -3,
  'wrong info': -3, 'misinformed': -2, incorrect: -2, inaccurate: -2, invalid: -1, declined: -2,
}

/** Negative or positive but no failure in itself: a request to cancel is not a complaint. */
export const DOMAIN_OTHER: Lexicon = {
  cancel: -1, refund: -1, refunds: -1, reimburse: -1, reimbursement: -1, compensation: -1,
  compensate: -1, voucher: 0, rebook: -1, 'help desk': 0, helpdesk: 0, issue: -1, issues: -1,
  problem: -2, problems: -2, error: -1, errors: -1, expensive: -1, overpriced: -2, slow: -1,
  slower: -1, slowest: -2, 'so slow': -2, fee: -1, fees: -1, waiting: -1, waited: -1,
  hold: 0, 'hours': 0, seriously: -1, smh: -2, ugh: -2, ughh: -2, wtf: -4,
  'come on': -1, 'not again': -2, 'why is it': -1, 'fix this': -2, 'fix it': -1, 'please fix': -2,
  fix: -1, disappointment: -2, nightmare: -3, mess: -2, hassle: -2, headache: -2, chaos: -2,
  abysmal: -3, subpar: -2, shoddy: -2, trash: -3, trashy: -2, garbage: -3, clusterfuck: -4,
  shambles: -3, unreliable: -2, laughable: -2, disgraceful: -3, mediocre: -1, unfriendly: -2,
  disrespectful: -3, smelly: -2, cramped: -2, sucked: -3, sucky: -2, debacle: -3, scammers: -3,
  thieves: -3, lies: -2, meh: -1, understaffed: -2, disorganised: -2, overrated: -2, laggy: -2,
  sluggish: -2, flaky: -2, spotty: -1, unusable: -3, joke: -2, jokes: -1, 'joke of': -3,
  promise: 0, promised: 0, stellar: 3, phenomenal: 4, incredible: 3, efficient: 2,
  accommodating: 2, comfy: 2, tasty: 2, 'top notch': 3, spotless: 2, legend: 2, legendary: 3,
  heroes: 2, awesomeness: 3, stoked: 3, wow: 0, 'good luck': 1, 'best way': 0, 'at best': -1,
  'the best way': 0, 'at least': 0, like: 0, 'i like': 2, 'we like': 2, 'i really like': 3,
  'like it': 2, 'like this': 0, 'could be better': -2, 'should be better': -2,
  clearly: 0, chance: 0, chances: 0, 'any chance': 0, 'good morning': 0,
  'good afternoon': 0, 'good evening': 0, h8: -3, 'bad ass': 3, badass: 3, 'is the shit': 3,
  'damn you': -3, 'damn it': -2, yay: 2, yaay: 2, negatively: -2,
  // Words that read warm in a review but in a support thread mostly frame what was expected
  // and did not happen ("I hope…", "should be better", "loyal for 10 years and…").
  better: 1, 'expected better': -2, 'expect better': -2, 'deserve better': -3, 'deserves better': -2,
  'better off': -1, 'a better': 0, 'better be': -1, 'need a better': -1, 'needs a better': -1,
  'need better': -1, 'needs better': -1, 'has to be a better': -2, 'much better': 2, 'so much better': 3, 'feel better': 1, hope: 0, hoping: 0,
  upgrade: 0, early: 0, 'arrived early': 2, care: 0, gold: 0, friend: 0, loyal: 0,
  yeah: 0, fine: 1, worth: 1, reach: 0, share: 0, resolve: 0, allow: 0, support: 0, lol: 1,
  wish: 0, safety: 0,
  // everyday warmth AFINN lacks: superlatives, cheers and slang
  nicest: 3, coolest: 3, funniest: 3, luckiest: 3, prettiest: 3, cutest: 3, kindest: 3,
  friendliest: 3, woot: 2, whoo: 2, yippee: 3, hooray: 3, booyah: 2, wtg: 3, fab: 3, lovin: 2,
  fave: 2, special: 2, precious: 2, gorgeous: 3, smiley: 2, blessed: 3, neato: 2, psyched: 3,
  pumped: 2, yum: 2, awsome: 3, 'a blast': 3, 'had a blast': 3, giggle: 2, grin: 2, cozy: 2,
  genius: 3, miraculous: 3, 'heck yes': 3, 'hell yes': 3, 'hell yeah': 3, 'fuck yeah': 3,
  'f yeah': 3, tgif: 2, pleasantly: 2, 'good night': 1, goodnight: 1,
  thnx: 2, thanx: 2, thanxs: 2, tks: 2, thks: 2, tnx: 2, thankyou: 2, thanku: 2, 'thank u': 2,
  'appreciate it': 2, exceptional: 3, 'hats off': 3, smoothest: 3, rad: 2, rectified: 2,
  relaxing: 2, 'looking forward': 2, 'look forward': 2, 'gold star': 2, rockstar: 3,
  'rock star': 3, angel: 2, angels: 2, 'look forward to hearing': 0, 'looking forward to hearing': 0,
  // "thanks so much for …" is not the sarcastic "so much for …"
  'thanks so much': 3, 'thank you so much': 3, 'thx so much': 3, 'thank u so much': 3,
  'thanks very much': 3, 'thank you very much': 3, 'thanks a million': 3,
  'thanks again': 2, 'thank you again': 2, 'thanks for the update': 2,
  // complaint vocabulary AFINN lacks
  lie: -2, lying: -2, untruthful: -3, shenanigans: -2, peeved: -2, irked: -2, seething: -3,
  inconvenienced: -2, deplorable: -3, rudely: -2, rudest: -3, rudeness: -3, condescending: -2,
  dismissive: -2, snotty: -2, snarky: -1, unapologetic: -2, uncaring: -2, stuffy: -1, ordeal: -2,
  gouging: -3, pricey: -1, shady: -2, sketchy: -2, bogus: -2, bs: -2, substandard: -2,
  clowns: -2, amateurs: -2, amateurish: -2, inhumane: -3, letdown: -2, 'let down': -2, 'let me down': -3,
  nastiest: -3, filthiest: -3, laziest: -2, disgruntled: -2, unsettling: -2, stressful: -2,
  exhausting: -2, snag: -1, snags: -2, crickets: -2, stonewalled: -3, stonewalling: -3,
  unserviceable: -2, cockup: -3, 'cock up': -3, 'given up': -2, 'get a clue': -2,
  'what gives': -2, 'is this how you': -2, 'this is how you treat': -2, 'how you treat': -1,
  'no end in sight': -2, 'any end in sight': -1, "i'd rather": -1, 'id rather': -1,
  'would rather': -1, 'too long': -1, 'too busy': -1, "can't afford": -2, 'cant afford': -2,
  despise: -3, 'bush league': -2, overkill: -1, unnerving: -2, hiccups: -1, hiccup: -1,
  'yelled at': -3, 'freaking out': -2, 'no sleep': -2, 'if you can call it that': -2,
  'nothing we can do': -2, 'nothing they can do': -2, 'under the bus': -2, 'never get': -2,
  'hour and a half': -1, 'too often': -2, 'cost me': -2, 'costing me': -2, 'cost us': -2,
  misguided: -2, 'ripped me off': -3, 'rip me off': -3, 'ripping me off': -3, 'for the love of': -2,
  'argued with me': -2, 'argue with me': -2, ratchet: -2, screwing: -3, cranky: -2, understaffing: -2, 'slap in the face': -3,
  'timing out': -2, 'times out': -2, disconnecting: -2, 'how does that help': -2,
  'how is that helpful': -2, 'no one would': -2, 'nobody would': -2, 'not enough': -2,
  'no option': -2, 'no options': -2, 'over and over': -2,
  'leaves a lot to be desired': -3, 'left a lot to be desired': -3, 'leave a lot to be desired': -3,
  'to be desired': -2, humiliating: -3, slammed: -2, 'beyond redemption': -3, oy: -1, shafted: -3,
  'one thing right': -2, 'anything right': -2, 'still pending': -2, 'still says': -1,
  'still shows': -1, 'for an hour': -1, 'for a half hour': -1, 'half an hour': -1,
  'more than an hour': -1, 'more than <n> hours': -2, 'with no result': -2, 'no results': -1,
  'do not buy': -3, "don't buy": -3, 'dont buy': -3, 'do not book': -3, "don't book": -2,
  "wouldn't let us": -2, 'wouldnt let us': -2,
  "won't let us": -2, 'wont let us': -2, "didn't let us": -2, 'didnt let us': -2,
  robotic: -1, 'no help whatsoever': -3, 'whatsoever': -1, 'third world': -2, 'hostage': -2,
  hopes: 0, 'honest question': 0, 'good times': 2, 'great service': 3, 'awesome job': 3,
  'nice work': 3, 'love it': 3, 'keep up the good work': 3, 'keep up the great work': 3,
  'never get tired of': 3, 'never gets old': 3, 'never let me down': 3, 'never lets me down': 3, 'never let us down': 3, 'never lets us down': 3,
  'kick ass': 3, 'kicks ass': 3, 'kicking ass': 3, 'miss you': 2, 'miss u': 2, 'in forever': 0,
  'not cool': -2, 'nice going': 2, 'good going': 2, 'great going': 2, 'good work': 3,
  'take the fun out': -3, 'taken the fun out': -3, 'took the fun out': -3, 'takes the fun out': -3, 'nice one': 2, 'good one': 2, 'well played': 2, 'how nice': 2,
  'how lovely': 2, 'how convenient': 2, convenient: 2, priceless: 2, 'good grief': -2,
  // words that name or describe rather than judge: "pretty sure", "the quality of", "be honest"
  // money saved: a bill or a cost that went down is good news to whoever pays it
  'bill dropped': 2, 'bill is down': 2, 'bill went down': 2, 'costs dropped': 2, 'costs are down': 2,
  'cut costs': 1, 'cut our costs': 2, 'cut our bill': 2, 'cut my bill': 2, 'cut the bill': 2,
  'saved us': 2, 'saves us': 2, 'saved me': 2, 'saves me': 2,
  loyalty: 0, 'big ups': 3, profit: 0, profits: 0, quality: 0, 'high quality': 2, 'top quality': 2,
  'pretty sure': 0, 'pretty much': 0, 'be honest': 0, 'to be honest': 0, 'reach out': 0,
  'reaching out': 0, 'reached out': 0, 'responsible for': 0,
  // loyalty schemes name their products after these ("award ticket", "rewards card", "reward
  // points"): a name, not a verdict, in any business that runs one
  award: 0, awards: 0, reward: 0, rewards: 0,
  truthful: 2, forever: -1, 'hoping for': 0, 'was hoping': 0, 'hoping to': 0,
  // understatement: a harm-free word negated says there was some harm, not that it was awful
  'not painless': -1, 'not seamless': -1, 'not effortless': -1, 'not flawless': -1,
  'not hassle free': -1, 'not perfect': -1, 'not bad': 2, 'not too bad': 1, 'not a bad': 2, 'not so bad': 1, 'not that bad': 1, 'not too shabby': 2,
  'would recommend': 2, 'would highly recommend': 3, 'would definitely recommend': 3, 'no complaints': 2, 'not disappointed': 2,
  "can't complain": 1, 'cant complain': 1, 'cannot complain': 1, "can't wait": 2, 'cant wait': 2,
  'cannot wait': 2, "couldn't be happier": 4, 'couldnt be happier': 4, 'could not be happier': 4,
  "couldn't be better": 3, 'couldnt be better': 3, "can't thank you enough": 4,
  'cant thank you enough': 4, 'cannot thank you enough': 4, "can't say enough": 3,
  'never disappoints': 3, 'never disappoint': 3, 'never fails to': 2, 'never had a problem': 2,
  'never had an issue': 2, 'love how': 2, 'love that': 2, 'love when': 2, 'love it when': 2,
  'gotta love': 2, 'got to love': 2, 'interesting how': 1, 'funny how': 1, 'amazing how': 1,
  'customer service': 0, 'customer support': 0, 'customer care': 0, 'take care of': 1,
  'taken care of': 2, 'took care of': 2,
  // politeness in requests is not praise
  help: 0, please: 0, pls: 0, plz: 0, want: 0, 'thanks in advance': 0, 'thank you in advance': 0,
  'any help': 0, 'can you help': 0, 'please help': 0, 'need help': 0, leave: 0, leaves: 0, hopefully: 0,
  'feel like': 0, 'feels like': 0, 'looks like': 0, 'seems like': 0, 'like a': 0,
  'just like': 0, 'something like': 0, 'would like': 0, "i'd like": 0, 'id like': 0, free: 0,
  top: 0, save: 0, credit: 0, yes: 0, 'no problem': 1, 'no worries': 1,
  'no issues': 2, 'no issue': 2, 'not a problem': 1, 'no doubt': 0,
  'no thanks': -1, 'no fun': -2, 'kind of': 0, 'some kind': 0,
  // service successes
  resolved: 2, 'sorted out': 2, 'sorted it': 2, fixed: 1, refunded: 1, 'on time': 1,
  'ahead of schedule': 2, quick: 1, quickly: 1, fast: 1, prompt: 2, promptly: 2,
  smooth: 2, smoothly: 2, seamless: 2, effortless: 2, painless: 2, 'hassle free': 2,
  'hassle-free': 2, friendly: 2, courteous: 2, professional: 2, responsive: 2, attentive: 2,
  knowledgeable: 2, patient: 1, upgraded: 2, kudos: 3, 'shout out': 3,
  shoutout: 3, props: 2, 'above and beyond': 4, 'went above': 3, 'made my day': 3,
  'saved the day': 3, lifesaver: 3, 'life saver': 3, 'well done': 3, 'great job': 3,
  'good job': 3, 'nice job': 3, 'great work': 3, 'thank you': 2, thx: 2, ty: 1, tysm: 3,
  'much appreciated': 3, 'really appreciate': 3, 'love you': 3, 'love you guys': 4,
  'you rock': 4, 'you guys rock': 4, rocks: 2, 'the best': 3,
  'happy customer': 3, 'loyal customer': 0, 'back on track': 2, 'got it sorted': 2,
  'all good': 2, 'works great': 3, 'works perfectly': 3, 'worked perfectly': 3,
}

/**
 * Outcomes a customer expects. Alone they say little ("my parcel arrived"); negated they are
 * the commonest complaint there is ("never arrived", "no response", "hasn't been refunded").
 * The number is the valence when negated.
 */
export const EXPECTATIONS: Lexicon = {
  arrived: -2, arrive: -2, arriving: -2, here: -1, received: -2, receive: -2, delivered: -2,
  deliver: -2, shipped: -2, ship: -1, refunded: -2, reimbursed: -2, credited: -2, processed: -2,
  responded: -2, respond: -2, responding: -2, response: -2, reply: -2, replied: -2,
  replying: -2, answer: -2, answered: -2, answering: -2, 'called back': -2, 'call back': -2,
  callback: -2, 'heard back': -2, 'hear back': -2, 'heard anything': -2, contacted: -2,
  update: -2, updates: -2, info: -1, information: -1, explanation: -2, apology: -2,
  notice: -1, fixed: -2, fix: -2, resolved: -2, resolve: -2, solved: -2, sorted: -2,
  working: -2, work: -2, works: -2, worked: -2, load: -2, loads: -2, loading: -2,
  open: -1, opens: -1, connect: -2, connecting: -2, 'log in': -2, login: -2, available: -1,
  allowed: -1, accepted: -1, accept: -1, honor: -2, honored: -2, honour: -2, 'show up': -2,
  'showed up': -2, there: -1, 'on time': -2, confirmed: -1, confirmation: -1, record: -1,
  tracking: -1, signal: -2, service: -1, wifi: -2, internet: -2, power: -2, seats: -1,
  seat: -1, compensation: -2, refund: -2, help: -2, helped: -2, helping: -2, assistance: -2,
  support: -1, 'customer service': -2, care: -1, 'picks up': -2, 'picked up': -2, 'pick up': -2,
  'picking up': -2, upgrade: -1, upgraded: -1, 'make it': -2, 'made it': -2, 'going through': -2,
  'going thru': -2, 'go through': -1, 'gotten through': -2, 'got through': -2, 'get through': -2,
  'hear anything': -2, accurate: -2, correct: -1, 'able to': -2, offer: -1, offered: -1,
  answers: -2, 'calls back': -2, updated: -2, addressed: -2, told: -2, tell: -2, telling: -2, informed: -2, notified: -2,
}

/** Words that flip the valence of what follows in their clause. */
export const NEGATORS: readonly string[] = [
  'not', 'no', 'never', 'none', 'nothing', 'nobody', 'neither', 'nor', 'without', 'cannot',
  "can't", 'cant', "don't", 'dont', "doesn't", 'doesnt', "didn't", 'didnt', "isn't", 'isnt',
  "aren't", 'arent', "wasn't", 'wasnt', "weren't", 'werent', "won't", 'wont', "wouldn't",
  'wouldnt', "shouldn't", 'shouldnt', "couldn't", 'couldnt', "haven't", 'havent', "hasn't",
  'hasnt', "hadn't", 'hadnt', "ain't", 'aint', 'hardly', 'barely', 'scarcely', 'nowhere',
  'non', 'no one', 'noone', 'no longer', 'less than', 'lack', 'lacking', 'would have been', "would've been", 'wouldve been',
  'could have been', "could've been", 'should have been', "should've been", 'shouldve been',
  'should have', "should've", 'shouldve', 'would have', "would've", 'wouldve', 'supposed to be', 'lacks', 'yet to', 'fails to', 'failed to', 'refuse to',
  'refuses to', 'refused to', 'zero',
]

/**
 * Negators that are a modal perfect: "should have replied" says it did not happen. Followed
 * by a noun phrase, "have" means to hold ("you should have a reply within the hour"): an
 * expectation, not a counterfactual.
 */
export const MODAL_PERFECTS: readonly string[] = ['should have', "should've", 'shouldve', 'would have', "would've", 'wouldve']

/** Words that open a noun phrase after "should have": "a reply", "your refund", "it by Friday". */
export const NOUN_PHRASE_STARTS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'your', 'my', 'our', 'their', 'his', 'her', 'its', 'this', 'that', 'these',
  'those', 'some', 'any', 'one', 'it', 'them', 'everything', 'access', 'confirmation',
])

/**
 * Verbs of receiving. "You should have received an email" tells the reader what reached them
 * (the sender speaking: epistemic "should"); "I should have received my refund" is the
 * receiver saying it did not come.
 */
export const RECEIPT_VERBS: ReadonlySet<string> = new Set(['received', 'gotten', 'got', 'heard', 'seen'])

/** Intensifiers and diminishers: factor applied to the next scored word. */
export const MODIFIERS: Readonly<Record<string, number>> = {
  very: 1.3, really: 1.3, so: 1.3, too: 1.2, extremely: 1.5, incredibly: 1.5, absolutely: 1.4,
  totally: 1.3, completely: 1.4, utterly: 1.5, truly: 1.3, super: 1.3, highly: 1.3,
  especially: 1.2, exceptionally: 1.5, particularly: 1.2, remarkably: 1.3, seriously: 1.3,
  insanely: 1.5, ridiculously: 1.5, terribly: 1.4, awfully: 1.4, hugely: 1.4, deeply: 1.3,
  most: 1.2, more: 1.1, beyond: 1.4, 'so so': 1.5, 'way too': 1.5, 'by far': 1.3,
  damn: 1.3, fucking: 1.5, freaking: 1.4, frickin: 1.4, effing: 1.4, bloody: 1.3, still: 1.2,
  entirely: 1.3, just: 1.1,
  slightly: 0.5, 'kind of': 0.6, kinda: 0.6, 'sort of': 0.6, sorta: 0.6, somewhat: 0.6,
  'a bit': 0.6, 'a little': 0.6, 'a little bit': 0.5, fairly: 0.8, mildly: 0.5, rather: 0.8,
  "couldn't be more": 1.5, 'couldnt be more': 1.5, 'could not be more': 1.5, 'a tad': 0.5, marginally: 0.5, partly: 0.6, almost: 0.7, quite: 1.1, pretty: 1.1,
}

/** Contrast: what came before weighs half, what follows weighs more. */
export const CONTRASTS: readonly string[] = ['but', 'however', 'yet', 'nevertheless', 'nonetheless', 'except', 'unfortunately', 'sadly']

/** Concession: the clause these open is what the writer concedes, so it weighs less. */
export const CONCESSIONS: readonly string[] = ['although', 'though', 'even though', 'despite', 'in spite of', 'while', 'whilst', 'even if', 'granted']

/** Concessions only when they open a sentence; mid-sentence they mostly mean "during". */
export const CONCESSIONS_AT_START: ReadonlySet<string> = new Set(['while', 'whilst'])

/**
 * Warm words people also use sarcastically. Before a failure in the same clause ("great job
 * losing my bag", "thanks for cancelling") or alone right after one ("Delayed again. Great.")
 * they turn negative.
 */
export const SARCASM_PRONE: readonly string[] = [
  'great', 'thnx', 'thanx', 'thanxs', 'tks', 'thks', 'tnx', 'thankyou', 'thanku', 'thank u',
  'thanks for the update', 'thanks again', 'thanks so much', 'thank you so much', 'thx so much',
  'thank u so much', 'thanks very much', 'thank you very much', 'thanks a million', 'thanks',
  'thank', 'thank you', 'love', 'awesome', 'nice', 'perfect', 'wonderful',
  'fantastic', 'brilliant', 'excellent', 'amazing', 'lovely', 'good', 'great job', 'good job',
  'nice job', 'well done', 'way to go', 'bravo', 'congrats', 'congratulations', 'cool',
  'fun', 'best', 'superb', 'stellar', 'impressive', 'kudos', 'appreciate', 'glad', 'happy',
  'gotta love', 'got to love', 'love how', 'love that', 'love when', 'love it when',
  'super', 'classy', 'stunning', 'charming', 'splendid', 'terrific', 'outstanding', 'fabulous',
  'marvelous', 'priceless', 'convenient', 'nice one', 'good one', 'well played', 'how nice',
  'how lovely', 'how convenient',
]

/** Warm words that, as a short sentence of their own after a complaint, are sarcasm ("Great."). */
export const SARCASM_LONE: readonly string[] = [
  'keep up the good work', 'keep up the great work', 'nice going', 'good going', 'great going',
  'good work', 'great', 'perfect', 'awesome', 'wonderful', 'fantastic', 'brilliant', 'lovely',
  'nice', 'cool',
  'excellent', 'amazing', 'superb', 'stellar', 'impressive', 'bravo', 'great job', 'good job',
  'nice job', 'well done', 'fun', 'good times', 'love it', 'awesome job', 'great service',
  'great work', 'nice work', 'way to go', 'thanks a lot', 'thanks a bunch', 'real nice',
  'super', 'classy', 'stunning', 'charming', 'splendid', 'terrific', 'outstanding', 'fabulous',
  'marvelous', 'priceless', 'convenient', 'nice one', 'good one', 'well played', 'how nice',
  'how lovely', 'how convenient',
]

/** Verbs that, right after a sarcasm-prone word, describe the harm ("thanks for losing …"). */
export const SARCASM_TRIGGERS: Lexicon = {
  losing: -2, lose: -2, cancelling: -2, canceling: -2, delaying: -2, breaking: -2, ruining: -2,
  ruin: -2, stranding: -2, overcharging: -2, charging: -1, wasting: -2, waste: -2,
  ignoring: -2, misplacing: -2, damaging: -2, dropping: -2, 'hanging up': -2,
  'leaving my': -2, forgetting: -2, dishonoring: -2, patronizing: -2, 'making me wait': -3, 'keeping me': -1, 'leaving me': -2, 'leaving us': -2,
  nothing: -2, 'being stuck': -3, 'sitting on': -1, 'sitting here': -2, waiting: -1,
}

/** Fixed sarcastic expressions: negative wherever they appear. */
export const SARCASM_PHRASES: Lexicon = {
  'thanks for no': -3, 'thank you for no': -3, 'thanks for the no': -3, 'yea right': -2,
  'thanks for nothing': -3, 'thank you for nothing': -3, 'thanks a lot': 1, 'thanks a bunch': 1, 'yeah right': -2,
  'oh great': -2, 'oh joy': -2, 'oh wonderful': -2, 'oh perfect': -2, 'just great': -2,
  'just perfect': -2, 'just wonderful': -2, 'just what i needed': -3, 'just what i need': -3,
  'exactly what i needed': -2, 'so much for': -2, 'good luck with that': -2, 'nice try': -1,
  'what a surprise': -1, 'big surprise': -2, 'shocker': -2,
  'surprise surprise': -2, 'love being': -1, 'as always': 0, 'clap clap': -2,
  'slow clap': -3, 'real nice': -1, 'sure thing': 0,
}

/** Hashtag endings and starts that carry a verdict (#UnitedFail, #worstservice, #lovethem). */
export const HASHTAG_SUFFIXES: Lexicon = { fail: -2, fails: -2, sucks: -3, suck: -3, fail2: -2, epicfail: -3, neveragain: -3, disappointed: -2 }
export const HASHTAG_PREFIXES: Lexicon = { angry: -3, unhappy: -2, sad: -2, frustrated: -2, worst: -3, never: -2, bad: -2, poor: -2, epicfail: -3, fail: -2, best: 2, love: 2, thank: 2 }

/** Emoticons with their valence. Longest first is not needed: the tokenizer tries longer ones first. */
export const EMOTICONS: Lexicon = {
  ':)': 2, ':-)': 2, ':))': 3, ':)))': 3, ':]': 2, '=)': 2, ':D': 3, ':-D': 3, '=D': 3, 'xD': 2,
  'XD': 2, ';)': 1, ';-)': 1, ';D': 2, ':P': 1, ':-P': 1, ':p': 1, ':-p': 1, ';P': 1, ';p': 1,
  '(:': 2, ':(': -2, ':-(': -2, ':((': -3, ':(((': -3, ':[': -2, '=(': -2, ":'(": -3,
  ":'-(": -3, ':o)': 2, ':/': -1, ':-/': -1, ':\\': -1, ':-\\': -1, '=/': -1, ':|': -1, ':-|': -1,
  '>:(': -3, '>:-(': -3, '<3': 3, '<33': 3, '</3': -3, ':o': -1, ':O': -1, ':-o': -1,
  ':-O': -1, ':*': 2, ':-*': 2, ':S': -1, ':s': -1, '-_-': -2, '-.-': -2, '^_^': 2, '^^': 1,
  ':@': -3, 'D:': -2,
}

/**
 * Emoji whose valence in the `sentiment` package's list (derived from tweet co-occurrence)
 * misreads customer service: anger and frustration are stronger there, and 🙏 is usually
 * "please", not praise.
 */
export const EMOJI_OVERRIDES: Lexicon = {
  '😡': -3, '😠': -3, '🤬': -4, '😤': -2, '😞': -2, '😢': -2, '😭': -2, '😩': -2, '😫': -2,
  '🙄': -2, '😒': -2, '👎': -2, '💩': -2, '😑': -1, '😐': -1, '😕': -1, '😟': -2, '😣': -2,
  '😖': -2, '😓': -1, '😰': -2, '😱': -2, '🤦': -2, '🤷': -1, '😬': -1, '😔': -2, '💔': -3,
  '😂': 1, '🤣': 1, '👍': 2, '👏': 2, '❤': 3, '♥': 3, '😍': 3, '🥰': 3, '😊': 2,
  '🙂': 1, '😀': 2, '😃': 2, '😄': 2, '😁': 2, '💯': 2, '🙌': 2, '🎉': 2, '⭐': 1, '🌟': 2,
  '✅': 1, '❌': -1, '⚠': -1, '🐢': -1, '🐌': -1, '⏳': -1, '⌛': -1, '🔥': 1, '💪': 2,
}

/** Words that open a question when they start a sentence. */
/**
 * Politeness: thanks and please in a request or question are manners, not praise
 * ("can I change my seat? thanks").
 */
export const POLITENESS: readonly string[] = [
  'thnx', 'thanx', 'thanxs', 'tks', 'thks', 'tnx', 'thankyou', 'thanku', 'thank u', 'thanks again',
  'thank you again', 'thanks so much', 'thank you so much', 'thx so much', 'thank u so much',
  'thanks very much', 'thank you very much', 'thanks a million', 'thanks', 'thank you', 'thank',
  'thx', 'ty', 'tia', 'appreciate', 'appreciate it',
  'would appreciate', "i'd appreciate", 'much appreciated', 'cheers', 'kind regards', 'regards',
]

/** A request for the brand to act: makes a text a question for intent and politeness. */
export const REQUESTS: readonly string[] = [
  'please', 'pls', 'plz', 'kindly', 'can you', 'could you', 'would you', 'will you', 'can u',
  'could u', 'dm me', 'dm us', 'message me', 'email me', 'call me', 'follow me', 'follow back',
  'let me know', 'let us know', 'i need', 'we need', 'need to know', 'looking for', 'is there',
  'any way', 'anyway to', 'how do i', 'how can i', 'how to', 'where can i', 'who do i',
]

export const QUESTION_OPENERS: readonly string[] = [
  'how', 'what', 'whats', "what's", 'when', 'where', 'which', 'who', 'whom', 'whose', 'why',
  'can', 'could', 'would', 'will', 'is', 'are', 'am', 'do', 'does', 'did', 'should', 'shall',
  'may', 'has', 'have', 'any', 'anyone', 'anybody', 'wondering', 'question', 'hows', "how's",
  'wheres', "where's", 'whens', "when's", 'isnt', "isn't", 'was', 'were',
]

/** Words a sentence can start with before its real opener: "but why …", "ok so how do I …". */
export const LEAD_INS: readonly string[] = [
  'but', 'and', 'so', 'ok', 'okay', 'well', 'also', 'then', 'now', 'seriously', 'honestly', 'hey', 'hi', 'hello',
]

/**
 * Question words that invert in a question ("why is", "how do I"). Followed straight by a
 * subject with no '?' they announce a story or a title instead: "Why we moved to Acme", "How
 * we cut our bill", "What I learned". ("How come" does not invert: "how come we can't log in"
 * still asks.)
 */
export const INVERTING_OPENERS: readonly string[] = ['why', 'how', 'what', 'when', 'where', 'who']

/** Subjects that, right after an inverting opener, make the sentence a statement. */
export const STATEMENT_SUBJECTS: ReadonlySet<string> = new Set(['we', 'i', 'they', 'he', 'she', 'people', 'companies', 'teams'])

/** A question that opens with these asks about a problem ("why is my order still not here?"). */
export const GRIEVANCE_OPENERS: readonly string[] = ['why', 'how come', 'what happened', 'what is going on', "what's going on", 'whats going on']

/**
 * Open a clause whose warm words are wished for, not had: "that would be great", "I wish the
 * staff were helpful", "if you cared about customers". Longer phrases ("would recommend") are
 * entries of their own and keep their valence.
 */
export const IRREALIS_MARKERS: readonly string[] = ['if', 'wish', 'would', 'unless']

/** Churn: "never … again", "won't … anymore" anywhere in one sentence. */
export const AFTER_NEGATION_AGAIN: readonly string[] = ['again', 'anymore', 'any more', 'ever again']

/** Words that make a positive text praise rather than merely pleasant. */
export const PRAISE_CUES: readonly string[] = [
  'thnx', 'thanx', 'thanxs', 'tks', 'thks', 'tnx', 'thankyou', 'thanku', 'thank u',
  'thanks so much', 'thank you so much', 'thx so much', 'thank u so much', 'thanks very much',
  'thank you very much', 'thanks a million', 'thanks', 'thank', 'thank you', 'thx', 'ty', 'tysm',
  'love', 'loved', 'loving', 'appreciate',
  'appreciated', 'much appreciated', 'kudos', 'great job', 'good job', 'nice job', 'well done',
  'great work', 'awesome', 'amazing', 'excellent', 'fantastic', 'the best', 'compliment', 'compliments', 'exceptional', 'hats off', 'best', 'wonderful', 'shout out',
  'shoutout', 'props', 'you rock', 'grateful', 'impressed', 'perfect', 'great', 'brilliant',
  'outstanding', 'superb', 'helpful', 'friendly', 'above and beyond', 'made my day', 'lifesaver',
  'life saver', 'happy customer', 'recommend', 'highly recommend',
]
