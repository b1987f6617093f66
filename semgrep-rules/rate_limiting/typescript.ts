// Test target for semgrep-rules/rate_limiting/typescript.yml (parsed only, never run).
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { SkipThrottle, Throttle, ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';

@Module({
  // ruleid: vibeward.typescript.rate_limiting.nest-throttler
  imports: [ThrottlerModule.forRoot([{ ttl: 60000, limit: 100 }])],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class AppModule {}

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  // ruleid: vibeward.typescript.rate_limiting.nest-throttle-login
  @Throttle({ default: { limit: 5, ttl: 60000 } })
  @Post('login')
  async login(@Body() dto: LoginDto) {
    return this.auth.login(dto);
  }

  // ruleid: vibeward.typescript.rate_limiting.nest-throttle-login
  @Throttle(3, 60)
  @Post('signin')
  async signIn(@Body() dto: LoginDto) {
    return this.auth.login(dto);
  }

  // ok: vibeward.typescript.rate_limiting.nest-throttle-login
  @Throttle({ default: { limit: 50, ttl: 60000 } })
  @Get('profile')
  async profile() {
    return {};
  }

  // ok: vibeward.typescript.rate_limiting.nest-skip-throttle-login
  @SkipThrottle()
  @Get('health')
  async health() {
    return 'ok';
  }

  // ruleid: vibeward.typescript.rate_limiting.nest-skip-throttle-login
  @SkipThrottle()
  @Post('otp/verify')
  async verifyOtp(@Body() dto: OtpDto) {
    return this.auth.verifyOtp(dto);
  }
}
