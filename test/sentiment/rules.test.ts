// One block per rule. Each case is chosen so that it fails when that rule is taken out
// (the plain AFINN sum, or the sum without the rule, gives a different answer).
import { describe, expect, it } from 'vitest'
import { createScorer } from '../../src/sentiment/index.js'

const scorer = createScorer()
const label = (text: string) => scorer.score(text).label
const score = (text: string) => scorer.score(text).score
const rulesOf = (text: string) => scorer.explain(text).tokens.flatMap((t) => t.rules)

describe('domain lexicon (service failures)', () => {
  it('reads complaints that have no AFINN word as negative', () => {
    expect(label("I've been on hold for 2 hours")).toBe('negative')
    expect(label('@airline flight cancelled, rebooked for tomorrow, on hold for 2 hours')).toBe('negative')
    expect(label('I was charged twice for one order')).toBe('negative')
    expect(label('my parcel never arrived')).toBe('negative')
  })

  it('names the phrase in the explanation', () => {
    expect(rulesOf("I've been on hold for 2 hours")).toContain("domain: 'on hold' -2")
  })

  it('treats negated expectations as failures', () => {
    expect(label("still haven't received my refund")).toBe('negative')
    expect(label('no response from support yet')).toBe('negative')
    expect(scorer.explain('nobody has responded').tokens.some((t) => t.rules.some((r) => r.startsWith("expected 'responded'")))).toBe(true)
  })

  it('does not count a request for help as praise', () => {
    // AFINN gives "help" +2 and "please" +1.
    expect(label('please help me with my account')).toBe('neutral')
  })
})

describe('domain phrases that only look like failures', () => {
  it('reads "is down 38%" as a decrease, not an outage', () => {
    expect(label('the checkout page is down again')).toBe('negative')
    expect(label('our bill is down 38% since the move')).not.toBe('negative')
    expect(label('latency went down by half')).not.toBe('negative')
  })
})

describe('brand-monitor nouns', () => {
  it('reads "support" as the team, not as praise', () => {
    expect(label('I contacted support about my invoice')).toBe('neutral')
  })
})

describe('grievance openers', () => {
  it('reads "why …" as a complaint when it asks, not when it announces', () => {
    expect(scorer.score('why is my order still not here').intent).toBe('complaint')
    expect(scorer.score('why did you cancel my order?')).toMatchObject({ label: 'negative', intent: 'complaint' })
    expect(scorer.score('Why we moved our stack to Acme')).toMatchObject({ label: 'neutral', intent: 'other' })
    expect(scorer.score('why we still cannot log in?').intent).toBe('complaint')
  })

  it('reads any question word + a subject, without "?", as a story or a title', () => {
    expect(scorer.score('What we learned from a year on Acme').intent).toBe('other')
    expect(scorer.score('How we moved 40 services to Acme').intent).toBe('other')
    expect(scorer.score('How we moved 40 services to Acme?').intent).toBe('question')
  })

  it('still reads "how come" + a subject as a grievance: it does not invert', () => {
    expect(rulesOf("How come we still can't log in")).toContain("grievance: 'how come …' -1")
  })
})

describe('negation', () => {
  it('flips a positive word in its scope', () => {
    expect(label('the support agent was not helpful')).toBe('negative')
    expect(rulesOf('the support agent was not helpful')).toContain("negated by 'not' ×-0.75")
  })

  it('makes "not bad" not negative', () => {
    expect(label('not bad at all')).not.toBe('negative')
    expect(label('not a bad game tonight')).toBe('positive')
  })

  it('softens a negated negative word instead of flipping it to praise', () => {
    // "no staff anywhere, non-existent/terrible service" is still a complaint.
    const plain = score('the food was terrible')
    const negated = score('the food was not terrible')
    expect(negated).toBeGreaterThan(plain)
    expect(negated).toBeLessThanOrEqual(0)
    expect(rulesOf('the food was not terrible')).toContain("negated by 'not' ×0.25")
  })

  it('leaves hashtags and emoji outside a negation', () => {
    expect(label('no staff anywhere #neveragain')).toBe('negative')
    expect(rulesOf('no staff anywhere #neveragain').some((r) => r.includes('negated'))).toBe(false)
  })

  it('reads "no problem" as not negative', () => {
    expect(label('no problem, happy to wait')).not.toBe('negative')
    expect(label('no problem')).not.toBe('negative')
  })

  it('stops at the end of the clause', () => {
    // Without a clause boundary "not" would reach "great" and flip it.
    expect(label('I did not expect it. The support was great')).toBe('positive')
  })

  it('reads counterfactuals as negation', () => {
    expect(label('it would have been nice to get a call')).toBe('negative')
  })
})

describe('phrases that take the tone of what they follow', () => {
  it('does not read "as usual" as sarcasm by itself', () => {
    // As a sarcasm phrase it turned "great" before it into a complaint.
    expect(label('the staff were great as usual')).toBe('positive')
    expect(label('late as usual')).toBe('negative')
  })

  it('reads being bumped up as an upgrade, bumped off as a failure', () => {
    expect(label('they bumped me up to a faster plan')).toBe('positive')
    expect(label('they bumped me off the list')).toBe('negative')
  })
})

describe('requests that open a question', () => {
  it('read "Is there …", "Can you …" as a question opened by their first word', () => {
    expect(scorer.explain("Is there a grace period I'm missing?").tokens.find((t) => t.token === 'missing')?.rules)
      .toContain('asked, not asserted (question) ×0.5')
  })
})

describe('harm supposed in a question', () => {
  it('reads a failure in an "if" clause of a question as asked about', () => {
    const e = scorer.explain('If my order is cancelled, do I get a refund?')
    expect(e.tokens.find((t) => t.token === 'cancelled')?.rules).toContain("supposed in a question ('if') ×0")
    expect(e.raw).toBe(-1.25)
    expect(e.intent).toBe('question')
  })

  it('keeps a failure that happened, and an "if" outside a question', () => {
    expect(scorer.score('my order was cancelled, do I get a refund?').intent).toBe('complaint')
    expect(label('if my order is cancelled again I will scream')).toBe('negative')
  })
})

describe('money saved and understatement', () => {
  it('reads a bill or a cost that went down as good news', () => {
    // AFINN gives "dropped" and "cut" −1.
    expect(label('the bill dropped by a third')).toBe('positive')
    expect(label('How we cut our bill by 40%')).toBe('positive')
  })

  it('reads a negated harm-free word as mild, not as the opposite of praise', () => {
    // "not" × "painless" (+2) would weigh −1.88.
    expect(scorer.explain('the migration was not painless').tokens.map((t) => t.weight)).toEqual([-1.25])
    expect(label('Six months in, our bill is down 38%. The migration itself was not painless.')).toBe('positive')
  })
})

describe('"should have": counterfactual or expectation', () => {
  it('reads "should have" + a noun phrase as an expectation, not a failure', () => {
    expect(scorer.score('you should have a reply within the hour')).toMatchObject({ label: 'neutral', intent: 'other' })
    expect(scorer.score('Thanks for reaching out! You should have a reply from our team shortly.').label).toBe('positive')
    expect(rulesOf('you should have a reply within the hour').some((r) => r.startsWith('expected'))).toBe(false)
  })

  it('reads "you should have received" as the sender speaking', () => {
    expect(label('you should have received an email with the link')).toBe('neutral')
  })

  it('keeps the counterfactuals that are complaints', () => {
    expect(scorer.score('I should have received my refund last week')).toMatchObject({ label: 'negative', intent: 'complaint' })
    expect(scorer.score('we should have gotten an update')).toMatchObject({ label: 'negative', intent: 'complaint' })
    expect(scorer.score('you should have told me')).toMatchObject({ label: 'negative', intent: 'complaint' })
  })
})

describe('contrast and concession', () => {
  it('weighs the clause after "but" more', () => {
    expect(label('the app is nice but it crashes every time')).toBe('negative')
    // Without the contrast rule "lovely" (+3) outweighs "slow".
    expect(label('the staff were lovely but the app is slow')).toBe('negative')
    expect(rulesOf('the staff were lovely but the app is slow')).toContain("contrast: after 'but' ×1.5")
    expect(label('delivery was slow but the support team was wonderful')).toBe('positive')
  })

  it('stops at the end of the sentence', () => {
    // The clause after "but" weighs more only up to the full stop.
    const after = scorer.explain('The update is nice but the app is slow. The new icons are ugly.')
    expect(after.tokens.find((t) => t.token === 'ugly')?.weight).toBe(-3.75)
    expect(after.tokens.find((t) => t.token === 'slow')?.rules).toContain("contrast: after 'but' ×1.5")
    // "But" opening a sentence answers the sentence before it, not the whole text.
    const before = scorer.explain('My parcel never arrived. The driver was rude. But the refund was quick.')
    expect(before.tokens.find((t) => t.token === 'never arrived')?.weight).toBe(-3.75)
    expect(before.tokens.find((t) => t.token === 'rude')?.rules).toContain("contrast: before 'but' ×0.5")
    // Mid-sentence, it weighs down only its own sentence.
    const mid = scorer.explain('My parcel never arrived. The driver was polite but the box was damaged.')
    expect(mid.tokens.find((t) => t.token === 'never arrived')?.weight).toBe(-3.75)
    expect(mid.tokens.find((t) => t.token === 'polite')?.rules).toContain("contrast: before 'but' ×0.5")
  })

  it('weighs a conceded clause less', () => {
    expect(label('although the staff were nice, my order is wrong')).toBe('negative')
    expect(rulesOf('although the staff were nice, my order is wrong')).toContain("concession after 'although' ×0.5")
  })
})

describe('intensifiers and diminishers', () => {
  it('"very" and "extremely" strengthen, "slightly" and "kind of" soften', () => {
    expect(score('the service was very good')).toBeGreaterThan(score('the service was good'))
    expect(score('the service was extremely bad')).toBeLessThan(score('the service was bad'))
    expect(score('the service was slightly bad')).toBeGreaterThan(score('the service was bad'))
    expect(score('the app is kind of slow')).toBeGreaterThan(score('the app is slow'))
    expect(rulesOf('the service was very good')).toContain("intensified by 'very' ×1.3")
  })

  it('lets a modifier with nothing to modify keep its own valence', () => {
    expect(label('damn, this again')).toBe('negative')
  })
})

describe('emphasis', () => {
  it('counts an ALL-CAPS word more', () => {
    expect(score('the support was AWFUL')).toBeLessThan(score('the support was awful'))
    expect(rulesOf('the support was AWFUL')).toContain('caps ×1.5')
  })

  it('does not count caps when the whole text shouts', () => {
    expect(score('THE SUPPORT WAS AWFUL')).toBe(score('the support was awful'))
  })

  it('counts repeated "!" towards the sign of the text', () => {
    expect(score('great service!!!')).toBeGreaterThan(score('great service'))
    expect(score('terrible service!!!')).toBeLessThan(score('terrible service'))
    expect(scorer.explain('great service!!!').rules).toContain("emphasis: 3×'!'")
  })

  it('reads "??" as exasperation', () => {
    expect(label('where is my order??')).toBe('negative')
  })
})

describe('emoji and emoticons', () => {
  it('scores emoji, also with skin tones', () => {
    expect(label('my order just arrived 😡')).toBe('negative')
    expect(label('my order just arrived 👍🏽')).toBe('positive')
    expect(rulesOf('my order just arrived 😡')).toContain('emoji 😡 -3')
  })

  it('scores emoticons glued to words, not clock times', () => {
    expect(label('my flight landed :(')).toBe('negative')
    expect(label('got my refund:)')).toBe('positive')
    expect(label('the app update is out :/')).toBe('negative')
    expect(label('the meeting moved to 8:30')).toBe('neutral')
    expect(label('heart it &lt;3')).toBe('positive')
  })
})

describe('sarcasm', () => {
  it('reads fixed sarcastic phrases as negative', () => {
    expect(label('thanks for nothing')).toBe('negative')
    expect(label('just what I needed today')).toBe('negative')
  })

  it('turns praise right before a harm negative', () => {
    expect(label('great job losing my bag')).toBe('negative')
    expect(label('thanks for cancelling my order')).toBe('negative')
    expect(rulesOf('great job losing my bag')).toContain("sarcasm: 'great job' … 'losing'")
  })

  it('turns a lone "great" after a complaint negative', () => {
    expect(label('Delayed again. Great.')).toBe('negative')
    expect(label('Great.')).toBe('positive')
  })

  it('leaves sincere thanks alone', () => {
    expect(label('thanks for fixing my account so quickly')).toBe('positive')
  })
})

describe('hashtags, mentions and links', () => {
  it('counts the word in a hashtag', () => {
    expect(label('new update #fail')).toBe('negative')
    expect(label('switching banks #NeverAgain')).toBe('negative')
    expect(label('checkout broke again #AcmeFail')).toBe('negative')
  })

  it('does not read handles and links as words', () => {
    expect(label('@happy_helper see https://good.example/great-awesome')).toBe('neutral')
  })
})

describe('politeness', () => {
  it('does not read thanks in a question as praise', () => {
    expect(label('can I change my seat? thanks')).toBe('neutral')
    expect(scorer.explain('can I change my seat? thanks').rules).toContain('politeness: thanks in a request or question is not praise')
  })

  it('keeps thanks for something as praise', () => {
    expect(label('thanks for the quick reply! one more thing?')).toBe('positive')
  })
})

describe('wished for, not had (if / wish / would / unless)', () => {
  it('does not count warm words in a wish as praise', () => {
    // Plain AFINN reads "great" and "helpful" as praise in both.
    expect(label('if you could tell me where I am staying tonight that would be great')).toBe('neutral')
    expect(label('I wish someone at the desk were helpful')).not.toBe('positive')
    expect(rulesOf('that would be great')).toContain("wished for, not had ('would') ×0")
  })

  it('keeps a recommendation, which is a phrase of its own', () => {
    expect(label('I would recommend them to anyone')).toBe('positive')
  })

  it('ends at the clause', () => {
    expect(label('if it rains we stay in, but the staff were wonderful')).toBe('positive')
  })
})

describe('compound hashtags', () => {
  it('splits a strong word off the front or the end of a tag', () => {
    expect(label('#HorribleCustomerService at the counter')).toBe('negative')
    expect(label('landed at last #feelingblessed')).toBe('positive')
  })

  it('needs four letters, so "win" does not make #winterwonderland a verdict', () => {
    expect(label('#winterwonderland tonight')).toBe('neutral')
  })
})

describe('modifiers', () => {
  it('does not count an intensifier as a word of its own when it intensifies', () => {
    // "seriously" alone is exasperation; before "amazing" it only makes it stronger.
    expect(label('Seriously amazing day.')).toBe('positive')
    expect(label('Seriously?')).toBe('negative')
  })
})

describe('vocabulary AFINN lacks', () => {
  it('reads complaint words and phrases as negative', () => {
    // None of these has an AFINN word.
    expect(label('they mishandled my bag')).toBe('negative')
    expect(label('where is my bag')).toBe('negative')
    expect(label('customer service is non-existent')).toBe('negative')
    expect(label('still sitting at the gate')).toBe('negative')
    expect(label('zero help from support')).toBe('negative')
  })

  it('reads everyday warmth as positive', () => {
    expect(label('the soup was the nicest thing ever')).toBe('positive')
    expect(label('that ice cream was fab')).toBe('positive')
  })
})

describe('asked for or asked about, not had', () => {
  it('does not count what a request asks for as praise', () => {
    // AFINN: "good" +3, "free" +1.
    expect(label('can you find me a good seat on the next flight')).toBe('neutral')
    expect(rulesOf('can you find me a good seat')).toContain("asked for ('can you'), not had ×0")
  })

  it('keeps praise inside a request', () => {
    expect(label('please tell the crew well done')).toBe('positive')
  })

  it('reads a mild warm word in a question as asked about', () => {
    // AFINN: "safe" +1, "better" +2 (ours +1).
    expect(label('will my bag be safe in the hold?')).toBe('neutral')
    expect(label('is it better to book online?')).toBe('neutral')
    expect(label('my bag will be safe in the hold')).toBe('positive')
    // The question is the whole sentence, commas and all.
    expect(label('hi, is it better to book online?')).toBe('neutral')
  })

  it('keeps a strong warm word in a question', () => {
    expect(label('did you see how amazing the sunset was?')).toBe('positive')
  })
})

describe('public thanks', () => {
  it('weighs a shout-out as strong praise, above the trouble it was about', () => {
    expect(label('shout-out to the support engineer who untangled a DNS mess that was my own fault')).toBe('positive')
  })
})

describe('could not do what they came to do', () => {
  it('reads "can\'t get", "haven\'t been able to" as a failure', () => {
    // No AFINN word in any of these; "can't" alone negates nothing that has a weight.
    expect(scorer.score("I can't get through to anyone about my booking")).toMatchObject({ label: 'negative', intent: 'complaint' })
    expect(label("haven't been able to log in to my account all morning")).toBe('negative')
    expect(label('the page would not let me finish the payment')).toBe('negative')
  })

  it('keeps the fixed phrases that mean the opposite', () => {
    expect(label("can't wait for the new release")).toBe('positive')
    expect(label("couldn't be happier with the support")).toBe('positive')
  })
})

describe('sentence lead-ins', () => {
  it('lets "but", "and", "so" or a tag come before a grievance opener', () => {
    expect(label('I understand. But why is this the only order not shipped?')).toBe('negative')
    expect(label('#Berlin why does it take a week to ship a parcel?')).toBe('negative')
    expect(rulesOf('So why did it take a week?')).toContain("grievance: 'why …' -1")
  })
})

describe('"while"', () => {
  it('concedes at the start of a sentence, tells the time mid-sentence', () => {
    expect(rulesOf('While the staff were friendly, my order is wrong')).toContain("concession after 'while' ×0.5")
    // Read as a concession, the wait after "while" would count half.
    const mid = scorer.explain('the crew left us on the tarmac while we waited for 3 hours')
    expect(mid.tokens.flatMap((t) => t.rules).some((r) => r.startsWith('concession'))).toBe(false)
    expect(mid.tokens.find((t) => t.token === 'waited for')?.weight).toBe(-2.5)
  })
})

describe('more ways to say it', () => {
  it('reads spelled-out thanks as thanks and sarcastic one-word verdicts as sarcasm', () => {
    expect(label('thnx')).toBe('positive')
    expect(label('appreciate it!!')).toBe('positive')
    expect(label('Order lost, support silent. Classy.')).toBe('negative')
    expect(label('Classy.')).toBe('positive')
  })

  it('reads loyalty-programme product names as names, not verdicts', () => {
    // AFINN: "award" +3, "loyalty" +3.
    expect(label('how do I book an award ticket with my loyalty program points')).toBe('neutral')
  })

  it('reads "look forward to hearing from you" as a sign-off', () => {
    expect(label('I sent the details, look forward to hearing from you')).toBe('neutral')
    expect(label('looking forward to the trip')).toBe('positive')
  })
})

describe('complaint phrases that open with a negator', () => {
  it('still negate the praise that follows them', () => {
    // "can't get" is a phrase of its own; without carrying the negation "good" would win.
    expect(label("I can't get a good seat on any flight")).toBe('negative')
  })

  it('do not soften the harm they already name', () => {
    const e = scorer.explain("you don't give a shit")
    expect(e.tokens.some((t) => t.rules.some((r) => r.startsWith('negated by')))).toBe(false)
    expect(e.label).toBe('negative')
  })
})

describe('how long it took and where they went instead', () => {
  it('reads waits and defections as complaints', () => {
    expect(label('we sat on the runway for an hour')).toBe('negative')
    expect(label("It's been 6 days.")).toBe('negative')
    expect(label('next time I will book with another company')).toBe('negative')
    expect(label('we are switching to a different provider')).toBe('negative')
    expect(label('the refund is still pending')).toBe('negative')
  })
})

describe('words that describe rather than judge', () => {
  it('reads departures, hedges and business nouns as neutral', () => {
    // AFINN: "leave" -1, "pretty" +1, "quality" +2, "profits" +2, "loyalty" +3.
    expect(label('what time does the flight leave?')).toBe('neutral')
    expect(label("pretty sure the parcel was sent to my old address")).toBe('neutral')
    expect(label('profits are up this quarter')).toBe('neutral')
    expect(label('your service leaves a lot to be desired')).toBe('negative')
  })
})

describe('stock praise as sarcasm', () => {
  it('counts a phrase as one word when judging whether the sentence stands alone', () => {
    expect(label('two delayed orders this week. Keep up the good work!')).toBe('negative')
    expect(label('Keep up the good work!')).toBe('positive')
  })
})

describe('more complaint vocabulary', () => {
  it('reads repetition, shortage and time-outs as complaints', () => {
    expect(label('the website keeps timing out')).toBe('negative')
    expect(label('you have said the same thing over and over')).toBe('negative')
    expect(label('not enough staff at the desk')).toBe('negative')
    expect(label("the tracking info is not accurate")).toBe('negative')
  })
})

describe('thanks, sincere and not', () => {
  it('does not read "thanks so much for" as the sarcastic "so much for"', () => {
    expect(label('Thanks so much for the help.')).toBe('positive')
    expect(label('So much for the help.')).toBe('negative')
  })

  it('reads thanks for a harm or for nothing as sarcasm', () => {
    expect(label('thanks for the canned reply')).toBe('negative')
    expect(label('thanks for no hot food on a six hour flight')).toBe('negative')
    expect(label('thank you for leaving my bag in Houston!')).toBe('negative')
  })
})

describe('repeated emoji', () => {
  it('counts a run of the same emoji once', () => {
    // Eight 😢 used to outweigh "the best" and turn a fan letter into a complaint.
    expect(label('YOU ARE THE BEST!!! FOLLOW ME PLEASE 🙏🙏🙏😢😢😢😢😢😢😢😢')).toBe('positive')
    expect(score('😢😢😢')).toBe(score('😢'))
  })
})

describe('idioms that turn a word around', () => {
  it('reads "never let me down", "miss you", "couldn\'t be more" the way people mean them', () => {
    expect(label('you always provided great service and never let me down')).toBe('positive')
    expect(label('I miss you guys!')).toBe('positive')
    expect(label("couldn't be more thankful to the crew")).toBe('positive')
    expect(label("couldn't be more disappointed")).toBe('negative')
  })
})

describe('what it cost and who could not help', () => {
  it('reads costs, refusals and inability as complaints', () => {
    expect(label('cost me a day of vacation and a hotel night')).toBe('negative')
    expect(label('I called three times and no one has been able to help me')).toBe('negative')
    expect(label("they wouldn't offer me the price on the site")).toBe('negative')
    expect(label('customer service (if you can call it that) refunded my money')).toBe('negative')
  })

  it('keeps the idioms where "never" praises', () => {
    expect(label('never get tired of this show')).toBe('positive')
  })
})
