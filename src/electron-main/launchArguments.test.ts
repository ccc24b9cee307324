import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppPageUrl, projectFileArgument } from './launchArguments';

describe('the project file in a command line', () => {
  it('takes the last .graft argument, absolute against the working directory', () => {
    expect(projectFileArgument(['/opt/Graft/graft-desktop', 'Birds.graft'], '/home/ann/photos')).toBe(path.resolve('/home/ann/photos/Birds.graft'));
    expect(projectFileArgument(['graft-desktop', '/a/One.graft', '../Two.GRAFT'], '/home/ann/photos')).toBe(path.resolve('/home/ann/Two.GRAFT'));
  });

  it('skips flags and Chromium switches, and finds nothing when no project is named', () => {
    expect(projectFileArgument(['electron', 'dist/electron-main.cjs', '--enable-logging', '--inspect=x.graft'], '/tmp')).toBeNull();
    expect(projectFileArgument(['graft-desktop', 'photo.jpg', 'graft'], '/tmp')).toBeNull();
  });
});

describe("Graft's own pages", () => {
  it("accepts only graft-app://renderer/ pages", () => {
    expect(isAppPageUrl('graft-app://renderer/index.html')).toBe(true);
    expect(isAppPageUrl('graft-app://renderer/#/label')).toBe(true);
  });

  it('refuses other origins, look-alikes and non-URLs', () => {
    for (const url of ['https://example.com/', 'graft-app://renderer.example.com/', 'graft-app://evil@renderer/', 'graft-app://other/', 'file:///etc/passwd', 'http://renderer/', 'not a url', '']) {
      expect(isAppPageUrl(url), url).toBe(false);
    }
  });
});
