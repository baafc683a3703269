import { expect, it } from 'vitest';
import { listAudit, recordAudit } from '../audit/index.js';
import { describeEachEngine } from '../../test/support/index.js';
import {
  createUser,
  defaultWellnessLimits,
  exposureToday,
  getUser,
  getWellnessLimits,
  setWellnessLimits,
  updateUserSettings,
} from './index.js';

const password = 'correct horse battery';

describeEachEngine('wellness', (database) => {
  const addAlice = (exposureWarning = 50) =>
    createUser(database(), { username: 'alice', password, role: 'analyst' }, { exposureWarning });

  it('starts from safe defaults and stores the limits an admin sets', async () => {
    expect(await getWellnessLimits(database())).toEqual({
      allowUnblurred: false,
      allowColour: true,
      maxExposureWarning: 500,
    });
    expect(defaultWellnessLimits).toEqual(await getWellnessLimits(database()));
    const limits = await setWellnessLimits(database(), { allowUnblurred: true }, 'user:1');
    expect(limits).toEqual({ allowUnblurred: true, allowColour: true, maxExposureWarning: 500 });
    expect(await setWellnessLimits(database(), { maxExposureWarning: 20 })).toEqual({
      allowUnblurred: true,
      allowColour: true,
      maxExposureWarning: 20,
    });
    expect(await getWellnessLimits(database())).toMatchObject({
      allowUnblurred: true,
      maxExposureWarning: 20,
    });
    expect(await listAudit(database(), { action: 'wellness.limits' })).toMatchObject([
      { actor: 'cli', details: { maxExposureWarning: 20 } },
      { actor: 'user:1', details: { allowUnblurred: true } },
    ]);
    await expect(setWellnessLimits(database(), { maxExposureWarning: 0 })).rejects.toThrow(
      /maxExposureWarning must be a whole number from 1/,
    );
  });

  it('lets people choose within the limits, and refuses beyond them naming the limit', async () => {
    const alice = await addAlice();
    expect(alice.settings).toEqual({ blur: true, greyscale: true, exposureWarning: 50 });

    const colour = await updateUserSettings(database(), alice.id, { greyscale: false, exposureWarning: 120 });
    expect(colour.settings).toEqual({ blur: true, greyscale: false, exposureWarning: 120 });

    await expect(updateUserSettings(database(), alice.id, { blur: false })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/allow_unblurred.*an admin/),
    });
    await expect(updateUserSettings(database(), alice.id, { exposureWarning: 501 })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/at most 500.*max_exposure_warning.*an admin/),
    });
    await expect(updateUserSettings(database(), alice.id, { exposureWarning: 0 })).rejects.toThrow(
      /whole number/,
    );
    await setWellnessLimits(database(), { allowColour: false });
    await expect(updateUserSettings(database(), alice.id, { greyscale: false })).rejects.toThrow(
      /allow_colour.*an admin/,
    );
    await expect(updateUserSettings(database(), 999, { blur: true })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await listAudit(database(), { action: 'user.settings' })).toMatchObject([
      { actor: `user:${alice.id}`, details: { greyscale: false, exposureWarning: 120 } },
    ]);
  });

  it('clamps settings to limits made stricter later, and restores them when the limits relax', async () => {
    const alice = await addAlice(800);
    expect(alice.settings.exposureWarning).toBe(500);
    await setWellnessLimits(database(), { allowUnblurred: true });
    await updateUserSettings(database(), alice.id, { blur: false, greyscale: false, exposureWarning: 300 });
    expect((await getUser(database(), alice.id)).settings).toEqual({
      blur: false,
      greyscale: false,
      exposureWarning: 300,
    });

    await setWellnessLimits(database(), {
      allowUnblurred: false,
      allowColour: false,
      maxExposureWarning: 100,
    });
    expect((await getUser(database(), alice.id)).settings).toEqual({
      blur: true,
      greyscale: true,
      exposureWarning: 100,
    });

    await setWellnessLimits(database(), { allowUnblurred: true, allowColour: true, maxExposureWarning: 500 });
    expect((await getUser(database(), alice.id)).settings).toEqual({
      blur: false,
      greyscale: false,
      exposureWarning: 300,
    });
  });

  it("counts today's reveals by one actor", async () => {
    const db = database().db;
    expect(await exposureToday(database(), 'user:1')).toBe(0);
    for (let index = 0; index < 3; index += 1)
      await recordAudit(db, { actor: 'user:1', action: 'evidence.reveal', target: 'case:1' });
    await recordAudit(db, { actor: 'user:2', action: 'evidence.reveal', target: 'case:1' });
    await recordAudit(db, { actor: 'user:1', action: 'evidence.view', target: 'case:1' });
    // Yesterday's reveal does not count (the audit log is append-only, so write the row directly).
    const yesterday = new Date();
    yesterday.setUTCHours(0, 0, 0, 0);
    await db
      .insertInto('audit_log')
      .values({
        at: new Date(yesterday.getTime() - 1).toISOString(),
        actor: 'user:1',
        action: 'evidence.reveal',
        target: 'case:1',
        details: '{}',
        source_ip: '',
      })
      .execute();
    expect(await exposureToday(database(), 'user:1')).toBe(3);
    expect(await exposureToday(database(), 'user:2')).toBe(1);
  });
});
